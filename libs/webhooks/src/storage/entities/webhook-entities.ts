import { WebhookAttempt } from './attempt.entity';
import { WebhookDelivery } from './delivery.entity';
import { WebhookEvent } from './event.entity';
import { WebhookSubscription } from './subscription.entity';

/** Every entity of the module, for hosts that list entities explicitly instead of `autoLoadEntities`. */
export const WEBHOOK_ENTITIES = [
  WebhookSubscription,
  WebhookEvent,
  WebhookDelivery,
  WebhookAttempt,
] as const;
