/**
 * Names of the state-change events the module publishes on the host's `EventEmitter2`
 * (`@nestjs/event-emitter`), e.g. `@OnEvent(WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled)`.
 */
export const WEBHOOK_LIFECYCLE_EVENTS = {
  subscriptionDisabled: 'webhooks.subscription.disabled',
  subscriptionEnabled: 'webhooks.subscription.enabled',
  deliveryExhausted: 'webhooks.delivery.exhausted',
  inboundReceived: 'webhooks.inbound.received',
  inboundRejected: 'webhooks.inbound.rejected',
  inboundProcessed: 'webhooks.inbound.processed',
  inboundFailed: 'webhooks.inbound.failed',
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

/** An inbound event stored (a duplicate is acknowledged but not stored again: `duplicate: true`). */
export interface InboundReceivedEvent {
  tenantId: string;
  listId: string | null;
  endpointId: string;
  /** Null for a duplicate. */
  eventId: string | null;
  provider: string;
  type: string | null;
  duplicate: boolean;
}

/** A request to an inbound endpoint refused: it did not verify, or it was too large. */
export interface InboundRejectedEvent {
  tenantId: string;
  endpointId: string;
  provider: string;
  reason: 'unverified' | 'too_large';
}

export interface InboundProcessedEvent {
  tenantId: string;
  listId: string | null;
  endpointId: string;
  eventId: string;
  provider: string;
  type: string | null;
  attempts: number;
}

/** Its handlers kept failing until the retry schedule ran out; it can be replayed. */
export interface InboundFailedEvent extends InboundProcessedEvent {
  error: string;
}

export interface WebhookLifecycleEventMap {
  [WEBHOOK_LIFECYCLE_EVENTS.inboundReceived]: InboundReceivedEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.inboundRejected]: InboundRejectedEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed]: InboundProcessedEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.inboundFailed]: InboundFailedEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled]: SubscriptionDisabledEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled]: SubscriptionEnabledEvent;
  [WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted]: DeliveryExhaustedEvent;
}
