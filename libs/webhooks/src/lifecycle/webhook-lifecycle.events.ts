/**
 * Names of the state-change events the module publishes on the host's `EventEmitter2`
 * (`@nestjs/event-emitter`), e.g. `@OnEvent(WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled)`.
 */
export const WEBHOOK_LIFECYCLE_EVENTS = {
  subscriptionDisabled: 'webhooks.subscription.disabled',
  subscriptionEnabled: 'webhooks.subscription.enabled',
  deliveryExhausted: 'webhooks.delivery.exhausted',
} as const;

export interface SubscriptionRef {
  tenantId: string;
  listId: string;
  subscriptionId: string;
  url: string;
}

export interface SubscriptionDisabledEvent extends SubscriptionRef {
  reason: string;
}

export interface SubscriptionEnabledEvent extends SubscriptionRef {
  /** What brought it back: the owner (after a test ping), the background probe, or ownership verification. */
  via: 'owner' | 'probe' | 'verification';
}

export interface DeliveryExhaustedEvent extends SubscriptionRef {
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempts: number;
  lastStatusCode: number | null;
}

export interface WebhookLifecycleEventMap {
  [WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled]: SubscriptionDisabledEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled]: SubscriptionEnabledEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted]: DeliveryExhaustedEvent;
}
