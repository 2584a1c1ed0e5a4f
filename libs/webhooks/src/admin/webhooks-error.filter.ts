import { Catch, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SubscriptionNotFoundError, WebhooksError } from '../webhooks.errors';

/** Maps the library's typed errors to HTTP answers shaped like Nest's ValidationPipe errors. */
@Catch(WebhooksError)
export class WebhooksErrorFilter implements ExceptionFilter<WebhooksError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: WebhooksError, host: ArgumentsHost): void {
    const notFound = error instanceof SubscriptionNotFoundError;
    const statusCode = notFound ? HttpStatus.NOT_FOUND : HttpStatus.BAD_REQUEST;
    const { httpAdapter } = this.adapterHost;
    httpAdapter.reply(
      host.switchToHttp().getResponse(),
      {
        statusCode,
        error: notFound ? 'Not Found' : 'Bad Request',
        code: error.code,
        message: [error.message],
      },
      statusCode,
    );
  }
}
