import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import {
  DEFAULT_TENANT_ID,
  WEBHOOKS_INBOUND_QUEUE,
  WEBHOOKS_QUEUE,
  WebhooksModule,
} from 'nestjs-marketing-webhooks';
import type { Registry } from 'prom-client';
import { ActivityModule } from './activity/activity.module';
import { BouncesModule } from './bounces/bounces.module';
import { BOUNCES_QUEUE } from './bounces/bounces.queue';
import { CAMPAIGNS_QUEUE } from './campaigns/campaigns.queue';
import { CampaignsModule } from './campaigns/campaigns.module';
import { RequestSourceGuard } from './common/request-source.guard';
import type { DemoConfig, Env } from './config/demo-config';
import { DEMO_CONFIG, DemoConfigModule } from './config/demo-config.module';
import { demoPortalOptions } from './config/portal.options';
import { ContactsModule } from './contacts/contacts.module';
import { HomeModule } from './home/home.module';
import { InboxModule } from './inbox/inbox.module';
import { DEMO_EVENT_TYPES } from './integrations/integrations';
import { IntegrationsModule } from './integrations/integrations.module';
import { ListsModule } from './lists/lists.module';
import { ListsService } from './lists/lists.service';
import { METRICS_REGISTRY } from './observability/metrics.registry';
import { ObservabilityModule } from './observability/observability.module';
import { SeedModule } from './seed/seed.module';
import { TrackingModule } from './tracking/tracking.module';

/** The demo, configured by `loadDemoConfig()` (env) in main.ts, or by a test with its own values. */
@Module({})
export class AppModule {
  static register(overrides: Env = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        DemoConfigModule.register(overrides),
        ObservabilityModule,
        TypeOrmModule.forRootAsync({
          inject: [DEMO_CONFIG],
          useFactory: (demo: DemoConfig) => typeOrmOptions(demo),
        }),
        BullModule.forRootAsync({
          inject: [DEMO_CONFIG],
          useFactory: (demo: DemoConfig) => ({ url: demo.redisUrl, prefix: demo.bullPrefix }),
        }),
        WebhooksModule.forRootAsync({
          imports: [ListsModule],
          inject: [METRICS_REGISTRY, DEMO_CONFIG, ListsService],
          useFactory: (registry: Registry, demo: DemoConfig, lists: ListsService) => ({
            // contact.ordered: a Shopify order recorded on a contact (apps/demo/src/integrations).
            eventTypes: DEMO_EVENT_TYPES,
            metrics: { registry },
            // The demo delivers to its own inbox on loopback, which the default URL policy refuses.
            security: { allowPrivateNetworks: true },
            retries: { schedule: [2_000, 10_000, 60_000] },
            // The library's webhook admin routes follow the same rule as the demo's: a wrong key is refused.
            // …and subscriptions go only to the lists the demo has.
            admin: {
              guards: [RequestSourceGuard],
              listExists: (tenantId, listId) =>
                tenantId === DEFAULT_TENANT_ID && lists.exists(listId),
            },
            portal: demoPortalOptions(demo, lists),
          }),
          isGlobal: true,
        }),
        BullBoardModule.forRoot({ route: '/queues', adapter: ExpressAdapter }),
        BullBoardModule.forFeature(
          { name: WEBHOOKS_QUEUE, adapter: BullAdapter },
          { name: WEBHOOKS_INBOUND_QUEUE, adapter: BullAdapter },
          { name: CAMPAIGNS_QUEUE, adapter: BullAdapter },
          { name: BOUNCES_QUEUE, adapter: BullAdapter },
        ),
        ListsModule,
        ContactsModule,
        CampaignsModule,
        TrackingModule,
        BouncesModule,
        InboxModule,
        ActivityModule,
        IntegrationsModule,
        SeedModule,
        HomeModule,
      ],
      providers: [
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
          }),
        },
      ],
    };
  }
}

function typeOrmOptions({ database }: DemoConfig): TypeOrmModuleOptions {
  const common = { autoLoadEntities: true, synchronize: true } as const;
  switch (database.type) {
    case 'sqlite':
      return { type: 'better-sqlite3', database: database.path, ...common };
    case 'postgres':
      return { type: 'postgres', url: database.url, ...common };
    default:
      // Timestamps are stored without a zone: read and written as UTC.
      return { type: database.type, url: database.url, timezone: 'Z', ...common };
  }
}
