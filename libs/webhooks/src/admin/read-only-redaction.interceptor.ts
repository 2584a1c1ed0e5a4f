import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import type { PortalClaims } from './portal-token';
import { PORTAL_SESSION_REQUEST_KEY } from './webhooks-admin.guard';

/** What a read-only portal session sees instead of a custom header's value. */
export const REDACTED_HEADER_VALUE = '********';

interface WithHeaders {
  headers?: Record<string, string> | null;
}

/**
 * Custom header values are often a receiver's own credentials: a read-only portal session sees
 * their names, not their values (a session that may change the subscription may also see them).
 */
@Injectable()
export class ReadOnlyRedactionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context
      .switchToHttp()
      .getRequest<{ [PORTAL_SESSION_REQUEST_KEY]?: PortalClaims }>();
    if (!request[PORTAL_SESSION_REQUEST_KEY]?.readOnly) return next.handle();
    return next.handle().pipe(map(redactHeaders));
  }
}

function redactHeaders(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const page = body as { data?: unknown };
  if (Array.isArray(page.data)) return { ...page, data: page.data.map(redactOne) };
  return redactOne(body);
}

function redactOne(view: unknown): unknown {
  const { headers } = view as WithHeaders;
  if (!headers) return view;
  return {
    ...(view as object),
    headers: Object.fromEntries(Object.keys(headers).map((name) => [name, REDACTED_HEADER_VALUE])),
  };
}
