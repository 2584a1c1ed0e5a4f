/**
 * Library internals the tests and the bench reach for (tables read directly, the sender's signing),
 * which the package does not export: one place to follow them when they move.
 */
export { WebhookAttempt } from '../../libs/webhooks/src/storage/entities/attempt.entity';
export {
  WebhookDelivery,
  type DeliveryStatus,
} from '../../libs/webhooks/src/storage/entities/delivery.entity';
export { WebhookEvent } from '../../libs/webhooks/src/storage/entities/event.entity';
export { WebhookSubscription } from '../../libs/webhooks/src/storage/entities/subscription.entity';
export { webhookHeaders } from '../../libs/webhooks/src/signing/signature';
export { generateWebhookSecret } from '../../libs/webhooks/src/security/secrets';
export { AttemptStore, type AttemptRecord } from '../../libs/webhooks/src/storage/attempt.store';
export { DeliveryStore } from '../../libs/webhooks/src/storage/delivery.store';
export { OutboxStore } from '../../libs/webhooks/src/storage/outbox.store';
export {
  EndpointHealthStore,
  SubscriptionStore,
  type NewSubscription,
} from '../../libs/webhooks/src/storage/subscription.store';
export { DisabledEndpointProber } from '../../libs/webhooks/src/delivery/disabled-endpoint-prober';
export { SecretsReencryptor } from '../../libs/webhooks/src/delivery/secrets-reencryptor';
export { SubscriptionSecrets } from '../../libs/webhooks/src/storage/subscription-secrets';
export { resolveWebhooksOptions } from '../../libs/webhooks/src/webhooks.options';
export { HistoryPruner } from '../../libs/webhooks/src/history/history-pruner';
export { HistoryStore } from '../../libs/webhooks/src/storage/history.store';
export { WebhooksMetrics } from '../../libs/webhooks/src/metrics/webhooks-metrics';
export { WEBHOOKS_OPTIONS } from '../../libs/webhooks/src/webhooks.options';
export { DeliveryRelay } from '../../libs/webhooks/src/delivery/delivery-relay';
export { DeliveryWorker } from '../../libs/webhooks/src/delivery/delivery.worker';
export { deliveryJobId } from '../../libs/webhooks/src/delivery/delivery.queue';
export { WebhookInboundEvent } from '../../libs/webhooks/src/storage/entities/inbound-event.entity';
export { InboundEndpointStore } from '../../libs/webhooks/src/storage/inbound-endpoint.store';
export {
  InboundEventStore,
  type NewInboundEvent,
} from '../../libs/webhooks/src/storage/inbound-event.store';
export { InboundRelay } from '../../libs/webhooks/src/inbound/inbound-relay';
export { inboundJobId } from '../../libs/webhooks/src/inbound/inbound.queue';
export { InboundPruner } from '../../libs/webhooks/src/inbound/inbound-pruner';
export { WebhookInboundEndpoint } from '../../libs/webhooks/src/storage/entities/inbound-endpoint.entity';
export { INBOUND_JOB } from '../../libs/webhooks/src/webhooks.constants';
export { DeliveryQueue } from '../../libs/webhooks/src/delivery/delivery.queue';
export { EndpointThrottle } from '../../libs/webhooks/src/delivery/endpoint-throttle';
export { AttemptClaims } from '../../libs/webhooks/src/delivery/attempt-claims';
