import * as publicApi from './index';

// The package's public surface: growing it is a decision, not a side effect of an `export`.
describe('the public API', () => {
  it('exports exactly the documented values', () => {
    expect(Object.keys(publicApi).sort()).toEqual(
      [
        'ALL_LISTS',
        'BUILT_IN_EVENT_TYPES',
        'CreateSubscriptionDto',
        'DEFAULT_TENANT_ID',
        'DeliveryNotFoundError',
        'InvalidCursorError',
        'InvalidSubscriptionError',
        'InvalidWebhookEventError',
        'PortalAccessError',
        'PortalConfigurationError',
        'PortalSessionError',
        'SecretDecryptionError',
        'SubscriptionNotFoundError',
        'SubscriptionStateConflictError',
        'UnknownEncryptionKeyError',
        'UnknownEventSourceError',
        'UnknownEventTypeError',
        'UnsupportedDatabaseError',
        'UpdateSubscriptionDto',
        'WEBHOOKS_DEFAULTS',
        'WEBHOOKS_QUEUE',
        'WEBHOOK_ENTITIES',
        'WEBHOOK_EVENT_SOURCES',
        'WEBHOOK_LIFECYCLE_EVENTS',
        'WEBHOOK_MIGRATIONS',
        'WEBHOOK_TEST_EVENT',
        'WEBHOOK_VERIFICATION_EVENT',
        'WebhookLimitError',
        'WebhookOperationsService',
        'WebhookStorageError',
        'WebhookSubscriptionsService',
        'WebhookUrlNotAllowedError',
        'WebhookVerificationError',
        'WebhooksError',
        'WebhooksErasureService',
        'WebhooksHealthService',
        'WebhooksModule',
        'WebhooksPortal',
        'WebhooksService',
        'WebhooksTransactions',
        'portalTokenOf',
        'verifyWebhook',
      ].sort(),
    );
  });
});
