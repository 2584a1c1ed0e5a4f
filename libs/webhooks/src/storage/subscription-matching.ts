import type { WebhookEventSource } from '../catalogue/event-catalogue';

export interface SubscriptionFilter {
  events: readonly string[];
  sources: readonly WebhookEventSource[];
}

export interface EventSelector {
  type: string;
  source: WebhookEventSource;
}

/** Whether a subscription of the right tenant and list wants this event. */
export function subscriptionMatches(
  subscription: SubscriptionFilter,
  event: EventSelector,
): boolean {
  return subscription.events.includes(event.type) && subscription.sources.includes(event.source);
}
