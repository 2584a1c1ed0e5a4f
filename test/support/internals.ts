/**
 * Library internals the tests and the bench reach for (tables read directly, the sender's signing),
 * which the package does not export: one place to follow them when they move.
 */
export { WebhookAttempt } from '../../libs/webhooks/src/delivery/attempt.entity';
export { WebhookDelivery } from '../../libs/webhooks/src/delivery/delivery.entity';
export { WebhookEvent } from '../../libs/webhooks/src/events/event.entity';
export { WebhookSubscription } from '../../libs/webhooks/src/subscriptions/subscription.entity';
export { webhookHeaders } from '../../libs/webhooks/src/signing/signature';
export { generateWebhookSecret } from '../../libs/webhooks/src/security/secrets';
