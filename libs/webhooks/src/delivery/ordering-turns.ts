import { Injectable } from '@nestjs/common';
import { GroupCommit } from '../common/group-commit';
import { DeliveryStore, type OrderingKeyRef, type OrderingTurn } from '../storage/delivery.store';

const MAX_BATCH = 100;

/**
 * Whose turn it is, per ordering key (see `DeliveryStore.findOrderingTurns`), asked by the keyed
 * attempts that start at about the same time in one statement: each keyed attempt asks before it
 * sends, and each that ends asks for the next.
 */
@Injectable()
export class OrderingTurns {
  private readonly batches = new GroupCommit<OrderingKeyRef, OrderingTurn | null>(
    (keys) => this.deliveries.findOrderingTurns(keys),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 1 },
  );

  constructor(private readonly deliveries: DeliveryStore) {}

  find(subscriptionId: string, orderingKey: string): Promise<OrderingTurn | null> {
    return this.batches.submit({ subscriptionId, orderingKey });
  }
}
