import {
  BadRequestException,
  HttpStatus,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';

/** The `code` of a request refused before it reached the library: a field fails its rules. */
export const INVALID_REQUEST = 'invalid_request';

/** A 400 shaped like the library's own errors (see `WebhooksErrorFilter`): with its `code`. */
export function invalidRequest(messages: string[]): BadRequestException {
  return new BadRequestException({
    statusCode: HttpStatus.BAD_REQUEST,
    error: 'Bad Request',
    code: INVALID_REQUEST,
    message: messages,
  });
}

/** Nest's messages (`url must be a URL address`, `headers.0.name …`), in the library's shape. */
class AdminValidationPipe extends ValidationPipe {
  override createExceptionFactory() {
    return (errors: ValidationError[] = []) => invalidRequest(this.flattenValidationErrors(errors));
  }
}

/**
 * The library validates its own input, whatever pipes the host has (or has not) set globally:
 * whitelisted DTOs, unknown properties refused. What must be checked before any transformation
 * (depth, prototype keys, unstorable text) is `ParsedInputInterceptor`'s.
 */
export const adminValidationPipe = new AdminValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
});
