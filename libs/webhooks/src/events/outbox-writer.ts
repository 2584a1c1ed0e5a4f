import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { entitySql } from '../common/entity-sql';
import { insertRows } from '../common/insert-rows';
import { WebhookDelivery } from '../delivery/delivery.entity';
import { FanOutService, type DeliveryRow } from '../delivery/fan-out.service';
import { WebhookEvent } from './event.entity';
import { insertEvents } from './insert-event';

/** Rows per INSERT on the portable path: well below SQLite's bind-parameter limit. */
const DELIVERY_INSERT_CHUNK = 500;

/**
 * Writes events and their deliveries (the outbox). On PostgreSQL that is one statement, whatever the
 * number of events and deliveries, so it is atomic without a transaction of its own and costs one
 * round trip and one commit; elsewhere, chunked inserts in the caller's transaction.
 */
@Injectable()
export class OutboxWriter {
  private readonly postgresStatement: string | null;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly fanOut: FanOutService,
  ) {
    this.postgresStatement =
      dataSource.options.type === 'postgres' ? buildPostgresStatement(dataSource) : null;
  }

  /** Whether `write` is atomic by itself (no transaction needed around it). */
  get singleStatement(): boolean {
    return this.postgresStatement !== null;
  }

  /** Returns the delivery ids of each event, in the order of `events`. */
  async write(manager: EntityManager, events: WebhookEvent[]): Promise<string[][]> {
    const { rows, deliveryIds } = await this.fanOut.plan(manager, events);
    if (this.postgresStatement) {
      await manager.query(this.postgresStatement, postgresParameters(events, rows));
    } else {
      await insertEvents(manager, events);
      await insertRows(manager, WebhookDelivery, rows, DELIVERY_INSERT_CHUNK);
    }
    return deliveryIds;
  }
}

function buildPostgresStatement(dataSource: DataSource): string {
  const event = entitySql(dataSource, WebhookEvent);
  const delivery = entitySql(dataSource, WebhookDelivery);
  const e = event.column.bind(event);
  const d = delivery.column.bind(delivery);
  return `
    WITH inserted_events AS (
      INSERT INTO ${event.table} (${e('id')}, ${e('tenantId')}, ${e('listId')}, ${e('type')},
        ${e('source')}, ${e('data')}, ${e('occurredAt')})
      SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::varchar[]), unnest($3::varchar[]),
        unnest($4::varchar[]), unnest($5::varchar[]), json_array_elements($6::json),
        unnest($7::timestamp[]))
    )
    INSERT INTO ${delivery.table} (${d('id')}, ${d('eventId')}, ${d('subscriptionId')},
      ${d('tenantId')}, ${d('status')}, ${d('attempts')}, ${d('nextAttemptAt')})
    SELECT id, event_id, subscription_id, tenant_id, status, 0, next_attempt_at
    FROM unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::varchar[], $12::varchar[],
      $13::timestamp[]) AS t(id, event_id, subscription_id, tenant_id, status, next_attempt_at)`;
}

function postgresParameters(events: readonly WebhookEvent[], rows: readonly DeliveryRow[]) {
  return [
    events.map((event) => event.id),
    events.map((event) => event.tenantId),
    events.map((event) => event.listId),
    events.map((event) => event.type),
    events.map((event) => event.source),
    // One JSON array rather than a json[] parameter: node-postgres escapes every element of an array
    // parameter character by character, which cost more than the rest of the statement.
    `[${events.map((event) => JSON.stringify(event.data)).join(',')}]`,
    events.map((event) => event.occurredAt),
    rows.map((row) => row.id),
    rows.map((row) => row.eventId),
    rows.map((row) => row.subscriptionId),
    rows.map((row) => row.tenantId),
    rows.map((row) => row.status),
    rows.map((row) => row.nextAttemptAt),
  ];
}
