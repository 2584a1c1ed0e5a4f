import { Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { captureInboundBody } from './raw-body';

/**
 * Keeps the exact bytes of inbound requests on Express even when the host did not enable
 * `rawBody`. Created while `NestFactory.create` builds the app, before `init()` registers the body
 * parsers, so the middleware runs first. (A testing module gets its HTTP adapter later: there the
 * route falls back to `req.rawBody` or the unread stream.)
 */
@Injectable()
export class InboundRawBodyCapture {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    @Optional() adapterHost?: HttpAdapterHost,
  ) {
    const adapter = adapterHost?.httpAdapter;
    if (adapter?.getType() !== 'express') return;
    adapter.use(captureInboundBody(options.inboundMaxBodyBytes));
  }
}
