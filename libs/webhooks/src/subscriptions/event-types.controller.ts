import { Controller, Get, UseGuards } from '@nestjs/common';
import { WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { EventCatalogue, WEBHOOK_EVENT_SOURCES } from '../events/event-catalogue';
import type { WebhookEventTypeDefinition } from '../webhooks.options';

@Controller('webhooks')
@UseGuards(WebhooksAdminGuard)
export class WebhookEventTypesController {
  constructor(private readonly catalogue: EventCatalogue) {}

  @Get('event-types')
  list(): { eventTypes: WebhookEventTypeDefinition[]; sources: readonly string[] } {
    return { eventTypes: this.catalogue.list(), sources: WEBHOOK_EVENT_SOURCES };
  }
}
