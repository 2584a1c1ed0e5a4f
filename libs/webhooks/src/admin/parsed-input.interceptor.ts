import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { tooDeepProblem } from '../common/nesting-depth';
import { findUnstorableText } from '../common/unstorable-text';
import { invalidRequest } from './admin-validation.pipe';

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

function problemOf(value: unknown): string | undefined {
  const deep = tooDeepProblem(value);
  if (deep) return deep;
  const key = forbiddenKey(value);
  if (key) return `property ${key} should not exist`;
  return findUnstorableText(value);
}

/**
 * Checks the body and query as parsed, before any pipe: a host's global ValidationPipe runs before
 * the library's own, and its class-transformer would drop prototype keys silently and recurse
 * through any depth (a stack overflow). Text no database stores as sent is refused too.
 */
@Injectable()
export class ParsedInputInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ body?: unknown; query?: unknown }>();
    const problem = problemOf(request.body) ?? problemOf(request.query);
    if (problem) throw invalidRequest([problem]);
    return next.handle();
  }
}
