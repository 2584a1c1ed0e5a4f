import type { Provider } from '@nestjs/common';
import { EventCatalogue } from './catalogue/event-catalogue';
import { WEBHOOKS_MODULE_OPTIONS } from './webhooks.module-definition';
import {
  resolveWebhooksOptions,
  WEBHOOKS_OPTIONS,
  type ResolvedWebhooksOptions,
  type WebhooksModuleOptions,
} from './webhooks.options';

export const resolvedOptionsProvider: Provider = {
  provide: WEBHOOKS_OPTIONS,
  useFactory: (options: WebhooksModuleOptions) => resolveWebhooksOptions(options),
  inject: [WEBHOOKS_MODULE_OPTIONS],
};

export const eventCatalogueProvider: Provider = {
  provide: EventCatalogue,
  useFactory: (options: ResolvedWebhooksOptions) => new EventCatalogue(options.eventTypes),
  inject: [WEBHOOKS_OPTIONS],
};
