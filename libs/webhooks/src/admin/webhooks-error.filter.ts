import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  DeliveryNotFoundError,
  InvalidSubscriptionError,
  SubscriptionNotFoundError,
  SubscriptionStateConflictError,
  WebhookLimitError,
  WebhookStorageError,
  WebhooksError,
} from '../webhooks.errors';

function statusOf(error: WebhooksError): { statusCode: number; error: string } {
  if (error instanceof SubscriptionNotFoundError || error instanceof DeliveryNotFoundError) {
    return { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found' };
  }
  if (error instanceof SubscriptionStateConflictError || error instanceof WebhookLimitError) {
    return { statusCode: HttpStatus.CONFLICT, error: 'Conflict' };
  }
  if (error instanceof WebhookStorageError) {
    return { statusCode: HttpStatus.SERVICE_UNAVAILABLE, error: 'Service Unavailable' };
  }
  return { statusCode: HttpStatus.BAD_REQUEST, error: 'Bad Request' };
}

/** Maps the library's typed errors to HTTP answers shaped like Nest's ValidationPipe errors. */
@Catch(WebhooksError)
export class WebhooksErrorFilter implements ExceptionFilter<WebhooksError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: WebhooksError, host: ArgumentsHost): void {
    const { statusCode, error: label } = statusOf(error);
    this.adapterHost.httpAdapter.reply(
      host.switchToHttp().getResponse(),
      {
        statusCode,
        error: label,
        code: error.code,
        message: error instanceof InvalidSubscriptionError ? error.problems : [error.message],
      },
      statusCode,
    );
  }
}
