import { BullModule } from '@nestjs/bull';
import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { WEBHOOKS_INBOUND_QUEUE, WEBHOOKS_ROUTE_PREFIX } from './webhooks.constants';
import type { WebhooksModuleOptions } from './webhooks.options';
import { webhooksQueueOptions, type WebhooksQueueSettings } from './webhooks.queue';

export interface WebhooksModuleExtras {
  /** Prefix of the admin routes, e.g. `'v1'` gives `/v1/lists/:listId/webhooks`. Default: none. */
  routePrefix?: string;
  /** Register the module globally so WebhooksService can be injected anywhere. Default: false. */
  isGlobal?: boolean;
  /** Bull lock and stalled-job timing of the delivery and inbound queues (fixed when the module is defined). */
  queue?: WebhooksQueueSettings;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: WEBHOOKS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhooksModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<WebhooksModuleExtras>(
    { routePrefix: undefined, isGlobal: false, queue: undefined },
    applyExtras,
  )
  .build();

function applyExtras(definition: DynamicModule, extras: WebhooksModuleExtras): DynamicModule {
  const prefix = extras.routePrefix?.replace(/^\/+|\/+$/g, '') ?? '';
  return {
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      { provide: WEBHOOKS_ROUTE_PREFIX, useValue: prefix },
    ],
    imports: [
      ...(definition.imports ?? []),
      BullModule.registerQueue(
        webhooksQueueOptions(extras.queue),
        webhooksQueueOptions(extras.queue, WEBHOOKS_INBOUND_QUEUE),
      ),
      ...(prefix ? [RouterModule.register([{ path: prefix, module: definition.module }])] : []),
    ],
  };
}
