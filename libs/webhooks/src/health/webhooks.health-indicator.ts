import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { WebhooksHealthService } from './webhooks-health.service';

/**
 * @nestjs/terminus indicator: `() => webhooksHealth.isHealthy('webhooks')` in a `HealthCheckService.check`.
 * Imported from `nestjs-marketing-webhooks/health`, so hosts without terminus never load it.
 */
@Injectable()
export class WebhooksHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly health: WebhooksHealthService,
  ) {}

  async isHealthy<Key extends string = 'webhooks'>(
    key: Key = 'webhooks' as Key,
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    const { healthy, ...details } = await this.health.check();
    return healthy ? indicator.up(details) : indicator.down(details);
  }
}
