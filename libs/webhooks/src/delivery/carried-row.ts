import {
  LoadedDelivery,
  type AttemptEvent,
  type AttemptSubscription,
} from '../storage/delivery.store';
import type { FreshDelivery } from './delivery.queue';

/**
 * How long after it fell due a delivery may go from what its emit carried, without a load (see
 * `DeliveryProcessor.carriedRows`). Well within the relay's first offer of it and Bull's lock (30 s
 * by default), after which a job whose worker died is taken again.
 */
export const CARRIED_FRESH_MS = 5_000;

/** The row of a fresh delivery as the emit wrote it: pending, no attempt yet, unordered. */
export function carriedRow(
  delivery: FreshDelivery,
  event: AttemptEvent,
  subscription: AttemptSubscription,
): LoadedDelivery {
  return new LoadedDelivery(
    {
      id: delivery.id,
      eventId: event.id,
      subscriptionId: delivery.subscriptionId,
      tenantId: event.tenantId,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: delivery.dueAt,
      orderingKey: null,
    },
    event,
    subscription,
  );
}

/** The delivery without its event: its first attempt loads it (some of its batch may have gone). */
export function uncarried(delivery: FreshDelivery): FreshDelivery {
  return { ...delivery, event: undefined };
}
