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
