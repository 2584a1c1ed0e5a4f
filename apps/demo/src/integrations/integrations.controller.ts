import { Controller, Get, UseGuards } from '@nestjs/common';
import { RequestSourceGuard } from '../common/request-source.guard';
import { IntegrationsService, type IntegrationView } from './integrations.service';

/**
 * The seeded list's inbound endpoints (Stripe, Typeform, Shopify): where each receives, what the
 * demo does with it, and what arrived lately. `npm run demo:inbound` reads the paths here.
 */
@Controller('integrations')
@UseGuards(RequestSourceGuard)
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Get()
  list(): Promise<IntegrationView[]> {
    return this.integrations.list();
  }
}
