import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookEventSource } from 'nestjs-marketing-webhooks';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';

/** Who is calling a management route: a person in the admin UI, or an API client. */
export type ManagementSource = Extract<WebhookEventSource, 'admin' | 'api'>;

export const API_KEY_HEADER = 'x-api-key';
const SOURCE_KEY = Symbol('demoRequestSource');

export type RequestWithSource = Request & { [SOURCE_KEY]?: ManagementSource };

/**
 * The management routes are shared by the admin UI and API clients; the `x-api-key` header tells
 * them apart. A key that is present but wrong is refused rather than treated as the admin UI.
 */
@Injectable()
export class RequestSourceGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(DEMO_CONFIG) config: DemoConfig) {
    this.expected = digest(config.apiKey);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithSource>();
    const given = request.headers[API_KEY_HEADER];
    if (given === undefined) {
      request[SOURCE_KEY] = 'admin';
      return true;
    }
    // Hashing first gives equal lengths, so the comparison is constant-time whatever was sent.
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), this.expected)) {
      throw new UnauthorizedException('invalid x-api-key');
    }
    request[SOURCE_KEY] = 'api';
    return true;
  }
}

export function readRequestSource(request: RequestWithSource): ManagementSource {
  const source = request[SOURCE_KEY];
  if (!source) throw new Error('RequestSourceGuard must run before @RequestSource() is read');
  return source;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
