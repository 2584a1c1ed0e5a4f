import { Controller, Get, UseFilters, UseGuards } from '@nestjs/common';
import { OpenToPortal, WebhooksAdminGuard } from '../admin/webhooks-admin.guard';
import { WebhooksErrorFilter } from '../admin/webhooks-error.filter';
import { EventCatalogue, WEBHOOK_EVENT_SOURCES } from '../catalogue/event-catalogue';
import { ApiErrors, ApiOperation, ApiResponse, ApiTags } from '../openapi/optional-swagger';
import { ErrorResponseDto, EventTypesResponseDto } from '../openapi/webhook-responses.dto';
import type { WebhookEventTypeDefinition } from '../webhooks.options';

@ApiTags('webhooks')
@Controller('webhooks')
@UseGuards(WebhooksAdminGuard)
@UseFilters(WebhooksErrorFilter)
@OpenToPortal()
export class WebhookEventTypesController {
  constructor(private readonly catalogue: EventCatalogue) {}

  @Get('event-types')
  @ApiOperation('List the event types and sources a subscription can choose')
  @ApiResponse(200, EventTypesResponseDto, 'The catalogue')
  @ApiErrors(ErrorResponseDto, 403)
  list(): { eventTypes: WebhookEventTypeDefinition[]; sources: readonly string[] } {
    return { eventTypes: this.catalogue.list(), sources: WEBHOOK_EVENT_SOURCES };
  }
}
