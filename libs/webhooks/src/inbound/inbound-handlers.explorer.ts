import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  ON_INBOUND_WEBHOOK,
  type InboundWebhookFilter,
} from './decorators/on-inbound-webhook.decorator';
import type { InboundWebhookEvent } from './inbound-webhook.event';

interface InboundHandler {
  filter: InboundWebhookFilter;
  name: string;
  call(event: InboundWebhookEvent): unknown;
}

/** Finds the host's `@OnInboundWebhook` methods once, at start-up (as @nestjs/bull finds `@Process`). */
@Injectable()
export class InboundHandlersExplorer implements OnModuleInit {
  private readonly logger = new Logger('WebhooksInbound');
  private handlers: InboundHandler[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const handlers: InboundHandler[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      // Request-scoped providers have no instance to call outside a request.
      if (!wrapper.isDependencyTreeStatic() || !instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        const filter = this.reflector.get<InboundWebhookFilter | undefined>(
          ON_INBOUND_WEBHOOK,
          target,
        );
        if (!filter) continue;
        handlers.push({
          filter,
          name: `${instance.constructor.name}.${method}`,
          call: (event) =>
            (target as (event: InboundWebhookEvent) => unknown).call(instance, event),
        });
      }
    }
    this.handlers = handlers;
    if (handlers.length > 0) {
      this.logger.log(`Inbound webhook handlers: ${handlers.map((h) => h.name).join(', ')}`);
    }
  }

  /** The handlers that take `event`, in discovery order. */
  handlersFor(event: Pick<InboundWebhookEvent, 'provider' | 'type'>): InboundHandler[] {
    return this.handlers.filter(
      ({ filter }) =>
        (filter.provider === undefined || filter.provider === event.provider) &&
        (filter.type === undefined || filter.type === event.type),
    );
  }
}
