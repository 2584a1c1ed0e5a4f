import type { WebhookEventSource } from '../catalogue/event-catalogue';
import type { ContentFilter } from '../filters/content-filter';
import { CompiledContentFilters } from '../filters/content-filter.matcher';

export interface SubscriptionFilter {
  events: readonly string[];
  sources: readonly WebhookEventSource[];
  filter: ContentFilter | null;
}

export interface EventSelector {
  type: string;
  source: WebhookEventSource;
  data: Record<string, unknown>;
}

const compiledFilters = new CompiledContentFilters();

/** Whether a subscription of the right tenant and list wants this event. */
export function subscriptionMatches(
  subscription: SubscriptionFilter,
  event: EventSelector,
): boolean {
  return (
    subscription.events.includes(event.type) &&
    subscription.sources.includes(event.source) &&
    (subscription.filter === null || compiledFilters.matches(subscription.filter, event.data))
  );
}
