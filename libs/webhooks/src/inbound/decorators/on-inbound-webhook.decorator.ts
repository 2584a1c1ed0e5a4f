import { SetMetadata } from '@nestjs/common';

export const ON_INBOUND_WEBHOOK = Symbol('webhooks:on-inbound-webhook');

/** Which inbound events a handler takes; every field given must match, none given takes all. */
export interface InboundWebhookFilter {
  /** The endpoint's scheme: `stripe`, `shopify`, `typeform`… */
  provider?: string;
  /** The provider's event type (`customer.created`, `orders/create`, `form_response`). */
  type?: string;
}

/**
 * Marks a provider method as a handler of verified inbound webhooks, e.g.
 * `@OnInboundWebhook({ provider: 'stripe', type: 'customer.created' })`, or `@OnInboundWebhook()` for
 * all. It receives an `InboundWebhookEvent`; a throw retries the event on `inbound.retrySchedule`.
 * Events are processed at least once: a handler may see one again after a crash, so make it
 * idempotent (the event's `id` is stable).
 */
export const OnInboundWebhook = (filter: InboundWebhookFilter = {}): MethodDecorator =>
  SetMetadata(ON_INBOUND_WEBHOOK, filter);
