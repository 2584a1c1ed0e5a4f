import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { WebhooksHealthIndicator } from 'nestjs-marketing-webhooks/health';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { METRICS_REGISTRY, metricsRegistryProvider } from './metrics.registry';

/** /health (terminus) and /metrics (Prometheus). Global so WebhooksModule.forRootAsync can inject the registry. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [metricsRegistryProvider, WebhooksHealthIndicator],
  exports: [METRICS_REGISTRY],
})
export class ObservabilityModule {}
