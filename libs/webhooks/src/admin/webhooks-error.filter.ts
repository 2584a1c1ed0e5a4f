import {
  Catch,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  DeliveryNotFoundError,
  InboundEndpointNotFoundError,
  InboundEventNotFoundError,
  InboundStateConflictError,
  InvalidInboundEndpointError,
  InvalidSubscriptionError,
  ListNotFoundError,
  PortalAccessError,
  PortalConfigurationError,
  PortalSessionError,
  SecretDecryptionError,
  SubscriptionNotFoundError,
  SubscriptionStateConflictError,
  UnknownEncryptionKeyError,
  WebhookLimitError,
  WebhookStorageError,
  WebhooksError,
} from '../webhooks.errors';

/** Errors of the server's own state (a missing key, a tampered row), not of the request. */
function isServerFault(error: WebhooksError): boolean {
  return (
    error instanceof UnknownEncryptionKeyError ||
    error instanceof SecretDecryptionError ||
    error instanceof PortalConfigurationError
  );
}

function statusOf(error: WebhooksError): { statusCode: number; error: string } {
  if (
    error instanceof SubscriptionNotFoundError ||
    error instanceof ListNotFoundError ||
    error instanceof DeliveryNotFoundError ||
    error instanceof InboundEndpointNotFoundError ||
    error instanceof InboundEventNotFoundError
  ) {
    return { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found' };
  }
  if (
    error instanceof SubscriptionStateConflictError ||
    error instanceof WebhookLimitError ||
    error instanceof InboundStateConflictError
  ) {
    return { statusCode: HttpStatus.CONFLICT, error: 'Conflict' };
  }
  if (error instanceof PortalSessionError) {
    return { statusCode: HttpStatus.UNAUTHORIZED, error: 'Unauthorized' };
  }
  if (error instanceof PortalAccessError) {
    return { statusCode: HttpStatus.FORBIDDEN, error: 'Forbidden' };
  }
  if (error instanceof WebhookStorageError) {
    return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable' };
  }
  if (isServerFault(error)) {
    return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error' };
  }
  return { statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request' };
}

function messagesOf(error: WebhooksError): string[] {
  // Their messages name encryption keys and rows: for the logs, not for the client.
  if (isServerFault(error)) return ['Internal server error'];
  return error instanceof InvalidSubscriptionError || error instanceof InvalidInboundEndpointError
    ? error.problems
    : [error.message];
}

/** Maps the library's typed errors to HTTP answers shaped like Nest's ValidationPipe errors. */
@Catch(WebhooksError)
export class WebhooksErrorFilter implements ExceptionFilter<WebhooksError> {
  private readonly logger = new Logger('WebhooksAdmin');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: WebhooksError, host: ArgumentsHost): void {
    if (isServerFault(error)) this.logger.error(error.message, error.stack);
    const { statusCode, error: label } = statusOf(error);
    this.adapterHost.httpAdapter.reply(
      host.switchToHttp().getResponse(),
      { statusCode, error: label, code: error.code, message: messagesOf(error) },
      statusCode,
    );
  }
}
