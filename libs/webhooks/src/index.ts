export { WebhooksModule } from './webhooks.module';
export type { WebhooksModuleExtras } from './webhooks.module-definition';
export type { WebhooksQueueSettings } from './webhooks.queue';
export {
  WEBHOOKS_DEFAULTS,
  type EncryptionKey,
  type InboundSchemeDefinition,
  type InboundSchemeRequest,
  type MetricsRegistry,
  type PortalList,
  type PortalSigningKey,
  type PortalTheme,
  type WebhookEventTypeDefinition,
  type WebhooksAdminRequest,
  type WebhooksModuleOptions,
} from './webhooks.options';
export {
  ALL_LISTS,
  DEFAULT_TENANT_ID,
  WEBHOOKS_INBOUND_QUEUE,
  WEBHOOKS_QUEUE,
} from './webhooks.constants';

export {
  WebhooksService,
  type EmitOptions,
  type EmitResult,
  type EmitWebhookEvent,
} from './events/webhooks.service';
export { WebhooksTransactions } from './storage/webhooks-transactions';
export {
  BUILT_IN_EVENT_TYPES,
  WEBHOOK_EVENT_SOURCES,
  WEBHOOK_TEST_EVENT,
  WEBHOOK_VERIFICATION_EVENT,
  type WebhookEventSource,
} from './catalogue/event-catalogue';

export {
  WebhookSubscriptionsService,
  type SubscriptionScope,
} from './subscriptions/subscriptions.service';
export { WebhookOperationsService } from './subscriptions/subscription-operations.service';
export {
  WebhooksPortal,
  type CreatePortalSessionInput,
  type PortalLocale,
  type PortalSessionLink,
} from './portal/webhooks-portal.service';
export { portalTokenOf } from './admin/webhooks-admin.guard';
export { WebhooksErasureService, type SubjectErasure } from './history/webhooks-erasure.service';
export {
  WebhookInboundService,
  type InboundEndpointsQuery,
  type InboundEventsQuery,
  type InboundScope,
} from './inbound/webhook-inbound.service';
export {
  OnInboundWebhook,
  type InboundWebhookFilter,
} from './inbound/decorators/on-inbound-webhook.decorator';
export type { InboundWebhookEvent } from './inbound/inbound-webhook.event';
export type { InboundEndpointView, InboundEventView } from './inbound/inbound.views';
export { CreateInboundEndpointDto } from './inbound/dto/create-inbound-endpoint.dto';
export { UpdateInboundEndpointDto } from './inbound/dto/update-inbound-endpoint.dto';
export type { InboundEventStatus } from './storage/entities/inbound-event.entity';
export { CreateSubscriptionDto } from './subscriptions/dto/create-subscription.dto';
export { UpdateSubscriptionDto } from './subscriptions/dto/update-subscription.dto';
export type { DeliveriesQuery, PageQuery } from './subscriptions/dto/pagination-query.dto';
export type {
  TemplateContentType,
  TemplatePreset,
  WebhookTemplate,
} from './templates/webhook-template';
export type {
  ContentFilter,
  FieldCondition,
  FieldOperators,
  FilterValue,
} from './filters/content-filter';
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
  type InboundFailedEvent,
  type InboundProcessedEvent,
  type InboundReceivedEvent,
  type InboundRejectedEvent,
  type SubscriptionDisabledEvent,
  type SubscriptionEnabledEvent,
  type WebhookLifecycleEventMap,
} from './lifecycle/webhook-lifecycle.events';
export { WEBHOOK_SPANS } from './tracing/webhooks-tracer';

export {
  DeliveryNotFoundError,
  InboundEndpointNotFoundError,
  InboundEventNotFoundError,
  InboundStateConflictError,
  InvalidCursorError,
  InvalidInboundEndpointError,
  InvalidSubscriptionError,
  InvalidWebhookEventError,
  ListNotFoundError,
  PortalAccessError,
  PortalConfigurationError,
  PortalSessionError,
  SecretDecryptionError,
  SubscriptionNotFoundError,
  SubscriptionStateConflictError,
  UnknownEncryptionKeyError,
  UnknownEventSourceError,
  UnknownEventTypeError,
  UnsupportedDatabaseError,
  WebhookLimitError,
  WebhooksError,
  WebhookStorageError,
  WebhookUrlNotAllowedError,
  WebhookVerificationError,
} from './webhooks.errors';

export {
  verifyWebhook,
  type VerifiedWebhook,
  type VerifyWebhookOptions,
} from './signing/signature';

export {
  WebhooksHealthService,
  type ComponentHealth,
  type WebhooksHealthReport,
} from './health/webhooks-health.service';

export { WEBHOOK_ENTITIES } from './storage/entities/webhook-entities';
export { WEBHOOK_MIGRATIONS } from './migrations';
