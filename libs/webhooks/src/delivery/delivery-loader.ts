import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource } from 'typeorm';
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

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Loads what an attempt needs. Jobs starting at about the same time share three queries (deliveries,
 * then their events and subscriptions together) instead of three each.
 */
@Injectable()
export class DeliveryLoader {
  private readonly batches = new GroupCommit<string, LoadedDelivery | null>(
    (ids) => this.loadMany(ids),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 2 },
  );

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Null when the delivery, its event or its subscription no longer exists. */
  load(deliveryId: string): Promise<LoadedDelivery | null> {
    return this.batches.submit(deliveryId);
  }

  private async loadMany(ids: string[]): Promise<Array<LoadedDelivery | null>> {
    const manager = this.dataSource.manager;
    const deliveries = byId(await manager.findBy(WebhookDelivery, { id: In(unique(ids)) }));
    const rows = [...deliveries.values()];
    if (rows.length === 0) return ids.map(() => null);
    const [events, subscriptions] = await Promise.all([
      manager.findBy(WebhookEvent, { id: In(unique(rows.map((row) => row.eventId))) }),
      manager.findBy(WebhookSubscription, {
        id: In(unique(rows.map((row) => row.subscriptionId))),
      }),
    ]).then(([events, subscriptions]) => [byId(events), byId(subscriptions)] as const);
    return ids.map((id) => {
      const delivery = deliveries.get(id);
      const event = delivery && events.get(delivery.eventId);
      const subscription = delivery && subscriptions.get(delivery.subscriptionId);
      if (!delivery || !event || !subscription) return null;
      // Each caller gets its own delivery object: the attempter updates it in place.
      return { delivery: Object.assign(new WebhookDelivery(), delivery), event, subscription };
    });
  }
}
