/** Base class of every error the library throws on purpose; `field` names the offending input. */
export abstract class WebhooksError extends Error {
  abstract readonly code: string;

  protected constructor(
    message: string,
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class UnknownEventTypeError extends WebhooksError {
  readonly code = 'unknown_event_type';

  constructor(
    readonly eventType: string,
    field = 'type',
  ) {
    super(`${field} contains unknown event type "${eventType}"`, field);
  }
}

export class UnknownEventSourceError extends WebhooksError {
  readonly code = 'unknown_event_source';

  constructor(
    readonly source: string,
    field = 'source',
  ) {
    super(`${field} contains unknown source "${source}"`, field);
  }
}

export class InvalidWebhookEventError extends WebhooksError {
  readonly code = 'invalid_event';

  constructor(field: string, problem: string) {
    super(`${field} ${problem}`, field);
  }
}

/** Subscription input that breaks the same rules the admin API enforces; `problems` name the fields. */
export class InvalidSubscriptionError extends WebhooksError {
  readonly code = 'invalid_subscription';

  constructor(readonly problems: string[]) {
    super(problems.join('; '), problems[0]?.split(' ')[0]);
  }
}

export class WebhookUrlNotAllowedError extends WebhooksError {
  readonly code = 'url_not_allowed';

  constructor(reason: string, field = 'url') {
    super(`${field} is not allowed: ${reason}`, field);
  }
}

export class InvalidCursorError extends WebhooksError {
  readonly code = 'invalid_cursor';

  constructor() {
    super('cursor is invalid or expired', 'cursor');
  }
}

export class SubscriptionNotFoundError extends WebhooksError {
  readonly code = 'subscription_not_found';

  constructor(readonly subscriptionId: string) {
    super(`webhook subscription ${subscriptionId} not found`, 'id');
  }
}

/** `admin.listExists` says the tenant has no such list (answered 404). */
export class ListNotFoundError extends WebhooksError {
  readonly code = 'list_not_found';

  constructor(readonly listId: string) {
    super(`list ${listId} not found`, 'listId');
  }
}

export class DeliveryNotFoundError extends WebhooksError {
  readonly code = 'delivery_not_found';

  constructor(readonly deliveryId: string) {
    super(`webhook delivery ${deliveryId} not found`, 'deliveryId');
  }
}

/** A status change the subscription's current state does not allow (answered 409). */
export class SubscriptionStateConflictError extends WebhooksError {
  readonly code = 'subscription_state_conflict';

  constructor(message: string) {
    super(message, 'status');
  }
}

/** A configured limit would be exceeded (answered 409). */
export class WebhookLimitError extends WebhooksError {
  readonly code = 'limit_exceeded';

  constructor(field: string, message: string) {
    super(`${field} ${message}`, field);
  }
}

/** A delivery failed verification on the receiving side (`verifyWebhook`): answer it 401. */
export class WebhookVerificationError extends WebhooksError {
  readonly code = 'webhook_verification_failed';

  constructor(message: string) {
    super(message);
  }
}

/**
 * The database could not be reached or refused the write (connection refused, shutting down, lock
 * wait exceeded): nothing was stored, so the caller may retry. `cause` is the driver's error.
 */
export class WebhookStorageError extends WebhooksError {
  readonly code = 'storage_unavailable';

  constructor(message: string, cause?: unknown) {
    super(message, undefined, cause === undefined ? undefined : { cause });
  }
}

/**
 * A stored secret is sealed with a key the ring does not hold (or there is no ring): a deployment
 * problem, answered 500 without the message.
 */
export class UnknownEncryptionKeyError extends WebhooksError {
  readonly code = 'encryption_key_unknown';

  constructor(readonly keyId: string) {
    super(
      `a stored secret is encrypted with key "${keyId}", which is not in security.encryptionKeys: ` +
        'keep every key that may still encrypt a row until re-encryption has finished',
    );
  }
}

/** A stored secret was altered, moved to another row or column, or is not an envelope (answered 500). */
export class SecretDecryptionError extends WebhooksError {
  readonly code = 'secret_decryption_failed';

  constructor(readonly context: string) {
    super(`a stored secret (${context}) failed authentication: it was altered or moved`);
  }
}

/** The module's data source is of a database the library does not support (fails at startup). */
export class UnsupportedDatabaseError extends WebhooksError {
  readonly code = 'database_unsupported';

  constructor(type: string) {
    super(`nestjs-marketing-webhooks supports PostgreSQL, MySQL/MariaDB and SQLite, not ${type}`);
  }
}

/** A portal token that is missing, tampered with, signed by an unknown key or expired (answered 401). */
export class PortalSessionError extends WebhooksError {
  private constructor(
    readonly code: 'portal_session_invalid' | 'portal_session_expired',
    message: string,
  ) {
    super(message);
  }

  static invalid(): PortalSessionError {
    return new PortalSessionError('portal_session_invalid', 'this portal link is not valid');
  }

  static expired(): PortalSessionError {
    return new PortalSessionError(
      'portal_session_expired',
      'this portal link has expired: ask for a new one',
    );
  }
}

/** A valid portal session asking for what it may not do (answered 403). */
export class PortalAccessError extends WebhooksError {
  private constructor(
    readonly code: 'portal_read_only' | 'portal_list_not_in_session' | 'portal_route_not_allowed',
    message: string,
    field?: string,
  ) {
    super(message, field);
  }

  static readOnly(): PortalAccessError {
    return new PortalAccessError('portal_read_only', 'this portal session is read-only');
  }

  static routeNotInPortal(): PortalAccessError {
    return new PortalAccessError(
      'portal_route_not_allowed',
      'this route is not open to portal sessions',
    );
  }

  static listNotInSession(): PortalAccessError {
    return new PortalAccessError(
      'portal_list_not_in_session',
      'listId is not one of the lists of this portal session',
      'listId',
    );
  }
}

/** `createSession` was called without what it needs (the host's mistake, thrown to the host). */
export class PortalConfigurationError extends WebhooksError {
  readonly code = 'portal_misconfigured';

  constructor(message: string, field?: string) {
    super(message, field);
  }
}

/** Inbound endpoint input that breaks the admin API's rules; `problems` name the fields (answered 400). */
export class InvalidInboundEndpointError extends WebhooksError {
  readonly code = 'invalid_inbound_endpoint';

  constructor(readonly problems: string[]) {
    super(problems.join('; '), problems[0]?.split(' ')[0]);
  }
}

export class InboundEndpointNotFoundError extends WebhooksError {
  readonly code = 'inbound_endpoint_not_found';

  constructor(readonly endpointId: string) {
    super(`inbound endpoint ${endpointId} not found`, 'id');
  }
}

export class InboundEventNotFoundError extends WebhooksError {
  readonly code = 'inbound_event_not_found';

  constructor(readonly eventId: string) {
    super(`inbound event ${eventId} not found`, 'eventId');
  }
}

/** A replay of an event that is still being processed, or a rotation that lost a race (answered 409). */
export class InboundStateConflictError extends WebhooksError {
  readonly code = 'inbound_state_conflict';

  constructor(message: string, field?: string) {
    super(message, field);
  }
}
