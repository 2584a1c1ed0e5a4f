import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GroupCommit } from '../common/group-commit';
import { WebhookEvent } from '../events/event.entity';
import { WebhookSubscription } from '../subscriptions/subscription.entity';
import { WebhookDelivery } from './delivery.entity';

export interface LoadedDelivery {
  delivery: WebhookDelivery;
  event: WebhookEvent;
  subscription: WebhookSubscription;
}

const MAX_BATCH = 200;

/** Mapped onto each delivery row by the load query; not columns of the entity. */
interface Joined {
  event: WebhookEvent;
  subscription: WebhookSubscription;
}

/**
 * Loads what an attempt needs, delivery, event and subscription in one query, shared by the jobs
 * that start at about the same time.
 */
@Injectable()
export class DeliveryLoader {
  private readonly batches = new GroupCommit<string, LoadedDelivery | null>(
    (ids) => this.loadMany(ids),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 4 },
  );

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Null when the delivery, its event or its subscription no longer exists. */
  load(deliveryId: string): Promise<LoadedDelivery | null> {
    return this.batches.submit(deliveryId);
  }

  private async loadMany(ids: string[]): Promise<Array<LoadedDelivery | null>> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(WebhookDelivery, 'delivery')
      .innerJoinAndMapOne('delivery.event', WebhookEvent, 'event', 'event.id = delivery.eventId')
      .innerJoinAndMapOne(
        'delivery.subscription',
        WebhookSubscription,
        'subscription',
        'subscription.id = delivery.subscriptionId',
      )
      .where('delivery.id IN (:...ids)', { ids: [...new Set(ids)] })
      .getMany();
    const found = new Map(rows.map((row) => [row.id, row as WebhookDelivery & Joined]));
    return ids.map((id) => {
      const row = found.get(id);
      if (!row) return null;
      const { event, subscription, ...delivery } = row;
      // Each caller gets its own delivery object: the attempter updates it in place.
      return { delivery: Object.assign(new WebhookDelivery(), delivery), event, subscription };
    });
  }
}
