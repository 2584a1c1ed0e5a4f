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
export { HistoryPruner } from '../../libs/webhooks/src/history/history-pruner';
export { HistoryStore } from '../../libs/webhooks/src/storage/history.store';
export { WebhooksMetrics } from '../../libs/webhooks/src/metrics/webhooks-metrics';
export { WEBHOOKS_OPTIONS } from '../../libs/webhooks/src/webhooks.options';
export { DeliveryRelay } from '../../libs/webhooks/src/delivery/delivery-relay';
export { deliveryJobId } from '../../libs/webhooks/src/delivery/delivery.queue';
