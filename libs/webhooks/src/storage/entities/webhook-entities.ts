import { WebhookAttempt } from './attempt.entity';
import { WebhookDelivery } from './delivery.entity';
import { WebhookEvent } from './event.entity';
import { WebhookInboundEndpoint } from './inbound-endpoint.entity';
import { WebhookInboundEvent } from './inbound-event.entity';
import { WebhookSubscription } from './subscription.entity';

/** Every entity of the module, for hosts that list entities explicitly instead of `autoLoadEntities`. */
export const WEBHOOK_ENTITIES = [
  WebhookSubscription,
  WebhookEvent,
  WebhookDelivery,
  WebhookAttempt,
  WebhookInboundEndpoint,
  WebhookInboundEvent,
] as const;
