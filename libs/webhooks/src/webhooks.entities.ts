import { WebhookAttempt } from './delivery/attempt.entity';
import { WebhookDelivery } from './delivery/delivery.entity';
import { WebhookEvent } from './events/event.entity';
import { WebhookSubscription } from './subscriptions/subscription.entity';

/** Every entity of the module, for hosts that list entities explicitly instead of `autoLoadEntities`. */
export const WEBHOOK_ENTITIES = [
  WebhookSubscription,
  WebhookEvent,
  WebhookDelivery,
  WebhookAttempt,
] as const;
