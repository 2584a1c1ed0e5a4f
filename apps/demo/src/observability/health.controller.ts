import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { WebhooksHealthIndicator } from 'nestjs-marketing-webhooks/health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly webhooks: WebhooksHealthIndicator,
  ) {}

  /** 200 when the demo can work; 503 naming what is down (database, Redis, a stuck delivery queue). */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database'),
      () => this.webhooks.isHealthy('webhooks'),
    ]);
  }
}
