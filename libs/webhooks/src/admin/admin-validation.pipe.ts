import { BadRequestException, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { tooDeepProblem } from '../common/nesting-depth';
import { findNul } from '../common/nul-characters';

/** Keys that no DTO declares and that would reach object prototypes if code ever merged the body. */
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

function forbiddenKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.includes(key)) return key;
    const nested = forbiddenKey((value as Record<string, unknown>)[key]);
    if (nested) return `${key}.${nested}`;
  }
  return undefined;
}

/**
 * The library validates its own input, whatever pipes the host has (or has not) set globally:
 * whitelisted DTOs, unknown properties refused, and, before transformation, bodies nested too deep
 * (recursion would overflow the stack) and prototype keys (class-transformer would drop them
 * silently).
 */
class AdminValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      forbidUnknownValues: true,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const deep = tooDeepProblem(value);
    if (deep) throw new BadRequestException([deep]);
    const key = forbiddenKey(value);
    if (key) throw new BadRequestException([`property ${key} should not exist`]);
    const nul = findNul(value);
    if (nul) throw new BadRequestException([`${nul} must not contain NUL characters`]);
    return super.transform(value, metadata);
  }
}

export const adminValidationPipe = new AdminValidationPipe();
