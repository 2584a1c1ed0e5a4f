import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { entitySql, idMembership, type IdMembership } from '../storage/sql/entity-sql';
import { GroupCommit } from '../common/group-commit';
import { WebhookEvent } from '../storage/entities/event.entity';
import { WebhookSubscription } from '../storage/entities/subscription.entity';
import { WebhookDelivery } from '../storage/entities/delivery.entity';

const DELIVERY_COLUMNS = [
  'id',
  'eventId',
  'subscriptionId',
  'tenantId',
  'status',
  'attempts',
  'nextAttemptAt',
] as const;
const EVENT_COLUMNS = ['id', 'tenantId', 'listId', 'type', 'source', 'occurredAt'] as const;
const SUBSCRIPTION_COLUMNS = [
  'id',
  'tenantId',
  'listId',
  'url',
  'status',
  'secret',
  'previousSecret',
  'previousSecretExpiresAt',
  'payloadFormat',
  'headers',
  'consecutiveFailures',
  'lastSuccessAt',
] as const;

/** What an attempt reads of each row: the columns the hot path loads, nothing more. */
export type AttemptDelivery = Pick<WebhookDelivery, (typeof DELIVERY_COLUMNS)[number]>;
export type AttemptEvent = Pick<WebhookEvent, (typeof EVENT_COLUMNS)[number]> & {
  /** `data` as stored: the body carries it as it is (see `renderWebhookBody`). */
  dataJson: string;
};
export type AttemptSubscription = Pick<WebhookSubscription, (typeof SUBSCRIPTION_COLUMNS)[number]>;

/**
 * A class, not an object literal: V8 may decide to allocate the objects of a literal straight in the
 * old generation (allocation-site pretenuring), and did so for this one during the worker's cold
 * start, when attempts took hundreds of milliseconds. Such an object, dead a few milliseconds later,
 * keeps its row's young strings alive until the next full collection: every loaded row got promoted
 * (12 MB/s at 2,500 attempts/s), and V8 then grew the heap to four times what survived.
 */
export class LoadedDelivery {
  constructor(
    readonly delivery: AttemptDelivery,
    readonly event: AttemptEvent,
    readonly subscription: AttemptSubscription,
  ) {}
}

const MAX_BATCH = 200;

/**
 * Loads what an attempt needs, delivery, event and subscription in one query, shared by the jobs
 * that start at about the same time. The statement is written once and its rows read column by
 * column: this runs for every attempt, and a query builder with entity hydration cost more CPU than
 * the HTTP request.
 */
@Injectable()
export class DeliveryLoader {
  /** One load at a time, like the recorder's writes: the batch grows with the load instead. */
  private readonly batches = new GroupCommit<string, LoadedDelivery | null>(
    (ids) => this.loadMany(ids),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 1 },
  );
  private readonly select: string;
  /** One statement text whatever the count on PostgreSQL (an id array). */
  private readonly ids: IdMembership;
  private readonly read: (row: Record<string, unknown>) => LoadedDelivery;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const delivery = entitySql(dataSource, WebhookDelivery);
    const event = entitySql(dataSource, WebhookEvent);
    const subscription = entitySql(dataSource, WebhookSubscription);
    const deliveries = delivery.reader('d', DELIVERY_COLUMNS);
    const events = event.reader('e', EVENT_COLUMNS);
    const subscriptions = subscription.reader('s', SUBSCRIPTION_COLUMNS);
    const d = (property: Extract<keyof WebhookDelivery, string>) =>
      `d.${delivery.column(property)}`;
    const postgres = dataSource.options.type === 'postgres';
    const data = `e.${event.column('data')}${postgres ? '::text' : ''}`;
    this.select = `SELECT ${deliveries.select}, ${events.select}, ${data} AS e_data,
        ${subscriptions.select}
      FROM ${delivery.table} d
      JOIN ${event.table} e ON e.${event.column('id')} = ${d('eventId')}
      JOIN ${subscription.table} s ON s.${subscription.column('id')} = ${d('subscriptionId')}
      WHERE `;
    this.ids = idMembership(dataSource, d('id'), 0);
    this.read = (row) =>
      new LoadedDelivery(
        deliveries.read(row),
        { ...events.read(row), dataJson: row.e_data as string },
        subscriptions.read(row),
      );
  }

  /** Null when the delivery, its event or its subscription no longer exists. */
  load(deliveryId: string): Promise<LoadedDelivery | null> {
    return this.batches.submit(deliveryId);
  }

  private async loadMany(ids: string[]): Promise<Array<LoadedDelivery | null>> {
    const unique = [...new Set(ids)];
    const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
      this.select + this.ids.condition(unique.length),
      this.ids.parameters(unique),
    );
    const found = new Map(rows.map((row) => [row.d_id as string, row]));
    // One copy of an event's JSON for all its deliveries: a fan-out keeps thousands of them parked.
    const dataByEvent = new Map<string, string>();
    // Each caller reads its own objects: the attempter updates the delivery in place.
    const loaded = ids.map((id) => {
      const row = found.get(id);
      if (!row) return null;
      const one = this.read(row);
      const shared = dataByEvent.get(one.event.id);
      if (shared === undefined) dataByEvent.set(one.event.id, one.event.dataJson);
      else one.event.dataJson = shared;
      return one;
    });
    // The driver's result array may be pretenured too (see LoadedDelivery): emptied, it no longer
    // holds the rows' strings alive until the next full collection.
    rows.length = 0;
    return loaded;
  }
}
