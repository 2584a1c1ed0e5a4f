import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import type { WebhooksModuleOptions } from './webhooks.options';

export interface WebhooksModuleExtras {
  /** Prefix of the admin routes, e.g. `'v1'` gives `/v1/lists/:listId/webhooks`. Default: none. */
  routePrefix?: string;
  /** Register the module globally so WebhooksService can be injected anywhere. Default: false. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: WEBHOOKS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WebhooksModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<WebhooksModuleExtras>({ routePrefix: undefined, isGlobal: false }, applyExtras)
  .build();

function applyExtras(definition: DynamicModule, extras: WebhooksModuleExtras): DynamicModule {
  const prefix = extras.routePrefix?.replace(/^\/+|\/+$/g, '');
  return {
    ...definition,
    global: extras.isGlobal,
    imports: [
      ...(definition.imports ?? []),
      ...(prefix ? [RouterModule.register([{ path: prefix, module: definition.module }])] : []),
    ],
  };
}
