export { WebhooksModule } from './webhooks.module';
export type { WebhooksModuleExtras } from './webhooks.module-definition';
export type { WebhooksQueueSettings } from './webhooks.queue';
export {
  DEFAULT_RETRY_SCHEDULE_MS,
  type MetricsRegistry,
  type WebhookEventTypeDefinition,
  type WebhooksAdminRequest,
  type WebhooksModuleOptions,
} from './webhooks.options';
export { DEFAULT_TENANT_ID, WEBHOOKS_QUEUE } from './webhooks.constants';
export * from './webhooks.errors';

export {
  BUILT_IN_EVENT_TYPES,
  EventCatalogue,
  WEBHOOK_EVENT_SOURCES,
  WEBHOOK_TEST_EVENT,
  WEBHOOK_VERIFICATION_EVENT,
  type WebhookEventSource,
} from './events/event-catalogue';
export {
  WebhooksService,
  type EmitOptions,
  type EmitResult,
  type EmitWebhookEvent,
} from './events/webhooks.service';
export {
  WebhookSubscriptionsService,
  type CreateSubscriptionInput,
  type SubscriptionScope,
  type UpdateSubscriptionInput,
} from './subscriptions/subscriptions.service';
export type { DeliveriesQuery, PageQuery } from './subscriptions/dto/pagination-query.dto';
export { WebhooksTransactions } from './common/webhooks-transactions';
export { WebhookOperationsService } from './subscriptions/subscription-operations.service';
export { CreateSubscriptionDto } from './subscriptions/dto/create-subscription.dto';
export { UpdateSubscriptionDto } from './subscriptions/dto/update-subscription.dto';
export type {
  Page,
  TestDeliveryResult,
  WebhookAttemptView,
  WebhookDeliveryView,
  WebhookSubscriptionView,
} from './subscriptions/subscription.views';
export {
  WEBHOOK_LIFECYCLE_EVENTS,
  type DeliveryExhaustedEvent,
  type SubscriptionDisabledEvent,
  type SubscriptionEnabledEvent,
  type SubscriptionRef,
  type WebhookLifecycleEventMap,
} from './lifecycle/webhook-lifecycle.events';

export {
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  type HeaderBag,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  type WebhookHeaders,
  type WebhookSignatureInput,
} from './signing/signature';
export { generateWebhookSecret } from './security/secrets';

export {
  WebhooksHealthService,
  type ComponentHealth,
  type WebhooksHealthReport,
} from './health/webhooks-health.service';

export { WEBHOOK_ENTITIES } from './webhooks.entities';
export { WEBHOOK_MIGRATIONS } from './migrations';
export {
  WebhookSubscription,
  PAYLOAD_FORMATS,
  SUBSCRIPTION_STATUSES,
  type PayloadFormat,
  type SubscriptionStatus,
} from './subscriptions/subscription.entity';
export { WebhookEvent } from './events/event.entity';
export {
  WebhookDelivery,
  DELIVERY_STATUSES,
  type DeliveryStatus,
} from './delivery/delivery.entity';
export {
  WebhookAttempt,
  ATTEMPT_ERROR_KINDS,
  ATTEMPT_TRIGGERS,
  type AttemptErrorKind,
  type AttemptTrigger,
} from './delivery/attempt.entity';
