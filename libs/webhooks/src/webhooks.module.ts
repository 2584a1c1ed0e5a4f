import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhooksAdminGuard } from './admin/webhooks-admin.guard';
import { AttemptRecorder } from './delivery/attempt-recorder';
import { DeliveryAttempter } from './delivery/delivery-attempter';
import { DeliveryDueTimes } from './delivery/delivery-due-times';
import { DeliveryLoader } from './delivery/delivery-loader';
import { SubscriptionSnapshots } from './delivery/subscription-snapshots';
import { CarriedRows } from './delivery/carried-rows';
import { DeliveryRelay } from './delivery/delivery-relay';
import { AttemptClaims } from './delivery/attempt-claims';
import { AttemptLeases } from './delivery/attempt-leases';
import { DeliveryProcessor } from './delivery/delivery.processor';
import { LocalFirstAttempts } from './delivery/local-first-attempts';
import { OrderingTurns } from './delivery/ordering-turns';
import { TurnWaiters } from './delivery/turn-waiters';
import { EndpointThrottle } from './delivery/endpoint-throttle';
import { DisabledEndpointProber } from './delivery/disabled-endpoint-prober';
import { EndpointVerifier } from './delivery/endpoint-verifier';
import { DeliveryQueue } from './delivery/delivery.queue';
import { DeliveryWorker } from './delivery/delivery.worker';
import { EndpointHealthRecorder } from './delivery/endpoint-health-recorder';
import { HttpSender } from './delivery/http-sender';
import { SecretsReencryptor } from './delivery/secrets-reencryptor';
import { OutboxHandOff } from './events/outbox-hand-off';
import { WebhooksService } from './events/webhooks.service';
import { WebhooksHealthService } from './health/webhooks-health.service';
import { HistoryPruner } from './history/history-pruner';
import { WebhooksErasureService } from './history/webhooks-erasure.service';
import { InboundEndpointsController } from './inbound/inbound-endpoints.controller';
import { InboundHandlersExplorer } from './inbound/inbound-handlers.explorer';
import { InboundQueue } from './inbound/inbound.queue';
import { InboundRawBodyCapture } from './inbound/inbound-raw-body.capture';
import { InboundProcessor } from './inbound/inbound.processor';
import { InboundPruner } from './inbound/inbound-pruner';
import { InboundReceiver } from './inbound/inbound-receiver';
import { InboundReceivingController } from './inbound/inbound-receiving.controller';
import { InboundRelay } from './inbound/inbound-relay';
import { InboundSchemes } from './inbound/inbound-schemes';
import { InboundWorker } from './inbound/inbound.worker';
import { WebhookInboundService } from './inbound/webhook-inbound.service';
import { WebhooksMetrics } from './metrics/webhooks-metrics';
import { UrlGuard } from './security/url-guard';
import { TemplateRenderer } from './templates/template-renderer';
import { WebhookNotifier } from './lifecycle/webhook-notifier';
import { PortalAssets } from './portal/portal-assets';
import { PortalPageController } from './portal/portal-page.controller';
import { PortalSessionController } from './portal/portal-session.controller';
import { WebhooksPortal } from './portal/webhooks-portal.service';
import { WebhookOperationsController } from './subscriptions/subscription-operations.controller';
import { WebhookOperationsService } from './subscriptions/subscription-operations.service';
import { SubscriptionStateService } from './delivery/subscription-state.service';
import { WebhookEventTypesController } from './subscriptions/event-types.controller';
import { WebhookSubscriptionsController } from './subscriptions/subscriptions.controller';
import { WebhookSubscriptionsService } from './subscriptions/subscriptions.service';
import { WEBHOOK_ENTITIES } from './storage/entities/webhook-entities';
import { storageProviders } from './storage/storage.providers';
import { WebhooksTransactions } from './storage/webhooks-transactions';
import { WebhooksTracer } from './tracing/webhooks-tracer';
import { ConfigurableModuleClass } from './webhooks.module-definition';
import { eventCatalogueProvider, resolvedOptionsProvider } from './webhooks.providers';

/**
 * Webhooks for a Nest app that already has `TypeOrmModule.forRoot` and `BullModule.forRoot`.
 * `forRoot(options)` / `forRootAsync({ imports, useFactory, inject })` register the entities, the
 * delivery queue and worker, the admin REST routes, the customer portal, the inbound endpoints
 * (receiving route, verification, inbox, `@OnInboundWebhook` dispatch) and the injectable
 * `WebhooksService`.
 */
@Module({
  // The Bull queue is registered per definition (webhooks.module-definition.ts): its timing is an extra.
  imports: [TypeOrmModule.forFeature([...WEBHOOK_ENTITIES]), DiscoveryModule],
  controllers: [
    WebhookEventTypesController,
    WebhookSubscriptionsController,
    WebhookOperationsController,
    PortalSessionController,
    PortalPageController,
    InboundEndpointsController,
    InboundReceivingController,
  ],
  providers: [
    resolvedOptionsProvider,
    eventCatalogueProvider,
    ...storageProviders,
    WebhooksTracer,
    WebhooksAdminGuard,
    WebhooksService,
    WebhookSubscriptionsService,
    WebhookOperationsService,
    SubscriptionStateService,
    WebhookNotifier,
    DeliveryQueue,
    OutboxHandOff,
    UrlGuard,
    TemplateRenderer,
    HttpSender,
    AttemptRecorder,
    DeliveryLoader,
    SubscriptionSnapshots,
    CarriedRows,
    DeliveryDueTimes,
    DeliveryAttempter,
    EndpointHealthRecorder,
    OrderingTurns,
    TurnWaiters,
    AttemptClaims,
    AttemptLeases,
    DeliveryProcessor,
    LocalFirstAttempts,
    EndpointThrottle,
    EndpointVerifier,
    DisabledEndpointProber,
    SecretsReencryptor,
    DeliveryWorker,
    DeliveryRelay,
    HistoryPruner,
    WebhooksErasureService,
    WebhooksHealthService,
    WebhooksMetrics,
    WebhooksPortal,
    PortalAssets,
    InboundSchemes,
    InboundRawBodyCapture,
    InboundQueue,
    InboundReceiver,
    InboundHandlersExplorer,
    InboundProcessor,
    InboundWorker,
    InboundRelay,
    InboundPruner,
    WebhookInboundService,
  ],
  exports: [
    WebhooksPortal,
    WebhooksTransactions,
    WebhooksService,
    WebhookSubscriptionsService,
    WebhookOperationsService,
    WebhooksHealthService,
    WebhooksErasureService,
    WebhookInboundService,
    eventCatalogueProvider,
  ],
})
export class WebhooksModule extends ConfigurableModuleClass {}
