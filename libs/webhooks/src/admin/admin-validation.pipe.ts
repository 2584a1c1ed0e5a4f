import { ValidationPipe } from '@nestjs/common';

/** The library validates its own input, whatever pipes the host has (or has not) set globally. */
export const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  forbidUnknownValues: true,
});
