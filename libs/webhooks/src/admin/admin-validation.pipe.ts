import { ValidationPipe } from '@nestjs/common';

/**
 * The library validates its own input, whatever pipes the host has (or has not) set globally:
 * whitelisted DTOs, unknown properties refused. What must be checked before any transformation
 * (depth, prototype keys, unstorable text) is `ParsedInputInterceptor`'s.
 */
export const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
});
