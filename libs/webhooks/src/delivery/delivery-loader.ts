import { Injectable } from '@nestjs/common';
import { GroupCommit } from '../common/group-commit';
import { DeliveryStore, type LoadedDelivery } from '../storage/delivery.store';

const MAX_BATCH = 200;

/** Loads what an attempt needs, shared by the jobs that start at about the same time. */
@Injectable()
export class DeliveryLoader {
  /** One load at a time, like the recorder's writes: the batch grows with the load instead. */
  private readonly batches = new GroupCommit<string, LoadedDelivery | null>(
    (ids) => this.deliveries.loadForAttempts(ids),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 1 },
  );

  constructor(private readonly deliveries: DeliveryStore) {}

  /** Null when the delivery, its event or its subscription no longer exists. */
  load(deliveryId: string): Promise<LoadedDelivery | null> {
    return this.batches.submit(deliveryId);
  }
}
