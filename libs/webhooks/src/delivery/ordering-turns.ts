import { Inject, Injectable } from '@nestjs/common';
import { GroupCommit } from '../common/group-commit';
import { DeliveryStore, type OrderingKeyRef, type OrderingTurn } from '../storage/delivery.store';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { TurnWaiters } from './turn-waiters';

const MAX_BATCH = 100;

/**
 * Whose turn it is, per ordering key (see `DeliveryStore.findOrderingTurns`), asked by the keyed
 * attempts that start at about the same time in one statement: a keyed attempt loaded behind an
 * earlier one asks before it sends (see `LoadedDelivery.behindEarlier`), and each that ends asks for
 * the next if one may be waiting (see `TurnWaiters`).
 */
@Injectable()
export class OrderingTurns {
  private readonly batches = new GroupCommit<OrderingKeyRef, OrderingTurn | null>(
    (keys) => this.deliveries.findOrderingTurns(keys),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 1 },
  );

  /**
   * Whether this process runs the relay, which offers a waiter again once its mark has expired (its
   * predecessor retried past its lease). Without one, a final delivery always looks for the next.
   */
  private readonly relayed: boolean;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    private readonly deliveries: DeliveryStore,
    private readonly waiters: TurnWaiters,
  ) {
    this.relayed = options.relayIntervalMs > 0;
  }

  find(subscriptionId: string, orderingKey: string): Promise<OrderingTurn | null> {
    return this.batches.submit({ subscriptionId, orderingKey });
  }

  /** Notes that a delivery of the key waits for its turn until `until` (epoch ms) at the latest. */
  waitUntil(subscriptionId: string, orderingKey: string, until: number): Promise<void> {
    return this.waiters.mark({ subscriptionId, orderingKey }, until);
  }

  /**
   * The key's turn once a delivery of it became final, or null when none waits for it: such one
   * checks its turn itself when its attempt starts.
   */
  async next(subscriptionId: string, orderingKey: string): Promise<OrderingTurn | null> {
    if (this.relayed && !(await this.waiters.mayBeWaiting({ subscriptionId, orderingKey })))
      return null;
    return this.find(subscriptionId, orderingKey);
  }
}
