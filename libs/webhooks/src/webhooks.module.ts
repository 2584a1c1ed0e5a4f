import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhooksAdminGuard } from './admin/webhooks-admin.guard';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { DeliveryQueue } from './delivery/delivery.queue';
import { DeliveryWorker } from './delivery/delivery.worker';
import { FanOutService } from './delivery/fan-out.service';
import { HttpSender } from './delivery/http-sender';
import { OutboxCommitSubscriber } from './events/outbox-commit.subscriber';
import { WebhooksService } from './events/webhooks.service';
import { WebhookEventTypesController } from './subscriptions/event-types.controller';
import { WebhookSubscriptionsController } from './subscriptions/subscriptions.controller';
import { WebhookSubscriptionsService } from './subscriptions/subscriptions.service';
import { WEBHOOK_ENTITIES } from './webhooks.entities';
import { ConfigurableModuleClass } from './webhooks.module-definition';
import { eventCatalogueProvider, resolvedOptionsProvider } from './webhooks.providers';
import { webhooksQueueOptions } from './webhooks.queue';

/**
 * Outbound webhooks for a Nest app that already has `TypeOrmModule.forRoot` and `BullModule.forRoot`.
 * `forRoot(options)` / `forRootAsync({ imports, useFactory, inject })` register the entities, the
 * delivery queue and worker, the admin REST routes and the injectable `WebhooksService`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([...WEBHOOK_ENTITIES]),
    BullModule.registerQueue(webhooksQueueOptions),
  ],
  controllers: [WebhookEventTypesController, WebhookSubscriptionsController],
  providers: [
    resolvedOptionsProvider,
    eventCatalogueProvider,
    WebhooksAdminGuard,
    WebhooksService,
    WebhookSubscriptionsService,
    FanOutService,
    DeliveryQueue,
    OutboxCommitSubscriber,
    HttpSender,
    DeliveryProcessor,
    DeliveryWorker,
  ],
  exports: [WebhooksService, WebhookSubscriptionsService, eventCatalogueProvider],
})
export class WebhooksModule extends ConfigurableModuleClass {}
