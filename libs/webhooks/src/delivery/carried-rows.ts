import { Injectable } from '@nestjs/common';
import {
  LoadedDelivery,
  type AttemptEvent,
  type AttemptSubscription,
  type OrderingTurn,
} from '../storage/delivery.store';
import type { FreshDelivery } from './delivery.queue';
import { OrderingTurns } from './ordering-turns';
import { SubscriptionSnapshots } from './subscription-snapshots';

/**
 * How long after it fell due a delivery may go from what its emit carried, without a load. Well
 * within Bull's lock (`queue.lockDurationMs`, a minute by default), after which a job whose worker
 * died is taken again.
 */
export const CARRIED_FRESH_MS = 5_000;

/**
 * The rows of first attempts that need no load: a fresh delivery whose job (or emitting process)
 * carried its event is as the emit wrote it (pending, no attempt), and its subscription comes from a
 * snapshot (`SubscriptionSnapshots`). A keyed one asks its key's turn instead of being loaded.
 *
 * What this leaves to the load: a job run again or late (some of its deliveries may have been sent),
 * an event not carried, a subscription gone. One the relay may have offered meanwhile still goes to
 * a job of its own (`AttemptLeases.isLate`); a manual redelivery within those seconds may send it
 * twice, as one made while a loaded attempt is in flight may.
 */
@Injectable()
export class CarriedRows {
  constructor(
    private readonly snapshots: SubscriptionSnapshots,
    private readonly turns: OrderingTurns,
  ) {}

  /** By delivery id, those of `deliveries` that can go without a load. */
  async of(deliveries: readonly FreshDelivery[]): Promise<Map<string, LoadedDelivery>> {
    const now = Date.now();
    const fresh = deliveries.filter(
      (delivery) => delivery.event && now - delivery.dueAt.getTime() < CARRIED_FRESH_MS,
    );
    const rows = new Map<string, LoadedDelivery>();
    if (fresh.length === 0) return rows;
    const subscriptions = await this.snapshots.of(fresh.map((delivery) => delivery.subscriptionId));
    const keyed: Array<Promise<void>> = [];
    for (const delivery of fresh) {
      const { event } = delivery;
      const subscription = subscriptions.get(delivery.subscriptionId);
      if (!event || !subscription) continue;
      // Unkeyed ones synchronously: no promise per delivery on the hot path.
      if (event.orderingKey === null) {
        rows.set(delivery.id, carriedRow(delivery, event, subscription));
        continue;
      }
      keyed.push(
        this.turns.find(delivery.subscriptionId, event.orderingKey).then((turn) => {
          const row = keyedRow(delivery, event, subscription, turn);
          if (row) rows.set(delivery.id, row);
        }),
      );
    }
    await Promise.all(keyed);
    return rows;
  }
}

/** The delivery without its event: its first attempt loads it (some of its batch may have gone). */
export function uncarried(delivery: FreshDelivery): FreshDelivery {
  return { ...delivery, event: undefined };
}

/**
 * A keyed delivery's row from its key's turn, asked instead of its load (see
 * `LoadedDelivery.behindEarlier`): behind an earlier unfinished delivery, or its own turn at its first
 * attempt. Undefined when it is no longer as the emit wrote it (final, or attempted), which its load
 * then tells.
 */
function keyedRow(
  delivery: FreshDelivery,
  event: AttemptEvent,
  subscription: AttemptSubscription,
  turn: OrderingTurn | null,
): LoadedDelivery | undefined {
  if (turn === null || turn.deliveryId > delivery.id) return undefined;
  if (turn.deliveryId < delivery.id) return carriedRow(delivery, event, subscription, turn);
  return turn.attempt === 1 ? carriedRow(delivery, event, subscription) : undefined;
}

function carriedRow(
  delivery: FreshDelivery,
  event: AttemptEvent,
  subscription: AttemptSubscription,
  earlierTurn?: OrderingTurn,
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
      orderingKey: event.orderingKey,
    },
    event,
    subscription,
    earlierTurn !== undefined,
    earlierTurn,
  );
}
