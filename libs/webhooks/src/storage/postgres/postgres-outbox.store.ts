import { ALL_LISTS } from '../../webhooks.constants';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookDelivery } from '../entities/delivery.entity';
import { WebhookEvent } from '../entities/event.entity';
import { WebhookSubscription } from '../entities/subscription.entity';
import { RECEIVING_STATUSES, type WrittenDelivery } from '../outbox.store';
import { entitySql } from '../sql/entity-sql';
import { NamedStatement } from './named-statement';
import type { SqlDialect } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';
import { TypeOrmOutboxStore } from '../typeorm/typeorm-outbox.store';
import { WebhooksTransactions } from '../webhooks-transactions';

/**
 * The outbox on PostgreSQL: one statement, whatever the number of events and deliveries. It inserts
 * the events, matches them with the receiving subscriptions of their lists and inserts the
 * deliveries, so it is atomic without a transaction of its own and costs one round trip and one
 * commit. Direct sends are written as elsewhere.
 */
@Injectable()
export class PostgresOutboxStore extends TypeOrmOutboxStore {
  private readonly statement: string;
  /** The statement prepared once per connection (`preparedStatements`), or null: sent unnamed. */
  private readonly named: NamedStatement | null;

  constructor(
    @InjectDataSource() private readonly postgres: DataSource,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
    transactions: WebhooksTransactions,
    prepared = true,
  ) {
    super(postgres, dialect, transactions);
    this.statement = buildStatement(postgres);
    this.named = prepared ? new NamedStatement(postgres, this.statement) : null;
  }

  override async write(
    events: readonly WebhookEvent[],
    manager?: EntityManager,
  ): Promise<WrittenDelivery[][]> {
    type Created = { id: string; event_id: string; subscription_id: string };
    const parameters = outboxParameters(events);
    const created = this.named
      ? await this.named.query<Created>(parameters, manager)
      : await (manager ?? this.postgres.manager).query<Created[]>(this.statement, parameters);
    const byEvent = new Map<string, WrittenDelivery[]>(events.map((event) => [event.id, []]));
    for (const { id, event_id, subscription_id } of created)
      byEvent.get(event_id)?.push({ id, subscriptionId: subscription_id });
    return events.map((event) => byEvent.get(event.id) ?? []);
  }
}

/**
 * Delivery ids are UUIDv7 made in the statement: the statement's start time in milliseconds, its
 * sub-millisecond fraction in the 12 bits after the version (RFC 9562's extra clock precision), then
 * the row's rank in the statement (20 bits, events in their order) and 42 random bits. Ids of one
 * statement sort in event order (within its first million rows), and a later statement's after an
 * earlier one's, as ids made by the library in JavaScript do.
 */
function deliveryIdSql(rank: string): string {
  const epochMs = `(extract(epoch FROM statement_timestamp()) * 1000)`;
  return `encode(
      substring(int8send(floor(${epochMs})::bigint) FROM 3 FOR 6)
      || int2send((28672 + floor((${epochMs} - floor(${epochMs})) * 4096))::int2)
      || int8send(-9223372036854775807 - 1 + (${rank} % 1048576) * 4398046511104
        + floor(random() * 4398046511104)::bigint),
      'hex')::uuid`;
}

function buildStatement(dataSource: DataSource): string {
  const event = entitySql(dataSource, WebhookEvent);
  const delivery = entitySql(dataSource, WebhookDelivery);
  const subscription = entitySql(dataSource, WebhookSubscription);
  const e = event.column.bind(event);
  const d = delivery.column.bind(delivery);
  const s = (property: Extract<keyof WebhookSubscription, string>) =>
    `s.${subscription.column(property)}`;
  // Matching is `subscriptionMatches` in SQL: subscriptions of the event's list or of all lists,
  // whose types and sources (JSON arrays of strings, which `?` tests) hold the event's, and whose
  // content filter, kept as an SQL/JSON path predicate, the event's data matches. Each event's
  // list is a plain join on the scope index; the all-lists scope is looked up once per tenant of the
  // batch (`OFFSET 0` keeps that lookup on the index: with the list and `*` in one join, the planner
  // guessed 100 events and hashed every subscription).
  return `
    WITH input AS (
      SELECT * FROM ROWS FROM (unnest($1::uuid[]), unnest($2::varchar[]), unnest($3::varchar[]),
        unnest($4::varchar[]), unnest($5::varchar[]), json_array_elements($6::json),
        unnest($7::timestamp[]), unnest($10::varchar[]), unnest($11::varchar[]),
        unnest($12::varchar[])) WITH ORDINALITY
        AS t(id, tenant_id, list_id, type, source, data, occurred_at, subject, trace_parent,
          ordering_key, position)
    ), inserted_events AS (
      INSERT INTO ${event.table} (${e('id')}, ${e('tenantId')}, ${e('listId')}, ${e('type')},
        ${e('source')}, ${e('data')}, ${e('occurredAt')}, ${e('subject')}, ${e('traceParent')},
        ${e('orderingKey')})
      SELECT id, tenant_id, list_id, type, source, data, occurred_at, subject, trace_parent,
        ordering_key
      FROM input
    ), all_lists AS (
      SELECT tenants.tenant_id, s.id, s.events, s.sources, s.filter
      FROM (SELECT DISTINCT tenant_id FROM input) tenants
      CROSS JOIN LATERAL (
        SELECT ${s('id')} AS id, ${s('events')}::jsonb AS events, ${s('sources')}::jsonb AS sources,
          ${s('filterJsonPath')}::jsonpath AS filter
        FROM ${subscription.table} s
        WHERE ${s('tenantId')} = tenants.tenant_id AND ${s('listId')} = '${ALL_LISTS}'
          AND ${s('status')} = ANY($8::varchar[])
        OFFSET 0
      ) s
    ), matched AS (
      SELECT event_id, tenant_id, subscription_id, ordering_key,
        row_number() OVER (ORDER BY position, subscription_id) AS rank
      FROM (
        SELECT input.id AS event_id, input.tenant_id, input.position, ${s('id')} AS subscription_id,
          input.ordering_key
        FROM input
        JOIN ${subscription.table} s
          ON ${s('tenantId')} = input.tenant_id AND ${s('listId')} = input.list_id
        WHERE ${s('status')} = ANY($8::varchar[])
          AND ${s('events')}::jsonb ? input.type AND ${s('sources')}::jsonb ? input.source
          AND (${s('filterJsonPath')} IS NULL
            OR jsonb_path_match(input.data::jsonb, ${s('filterJsonPath')}::jsonpath))
        UNION ALL
        SELECT input.id, input.tenant_id, input.position, a.id, input.ordering_key
        FROM input
        JOIN all_lists a ON a.tenant_id = input.tenant_id
        WHERE a.events ? input.type AND a.sources ? input.source
          AND (a.filter IS NULL OR jsonb_path_match(input.data::jsonb, a.filter))
      ) candidates
    )
    INSERT INTO ${delivery.table} (${d('id')}, ${d('eventId')}, ${d('subscriptionId')},
      ${d('tenantId')}, ${d('status')}, ${d('attempts')}, ${d('nextAttemptAt')}, ${d('orderingKey')})
    SELECT ${deliveryIdSql('rank')}, event_id, subscription_id, tenant_id, 'pending', 0, $9::timestamp,
      ordering_key
    FROM matched
    ORDER BY rank
    RETURNING ${d('id')} AS id, ${d('eventId')} AS event_id,
      ${d('subscriptionId')} AS subscription_id`;
}

/** The statement's parameters for a batch of events (exported for the plan test). */
export function outboxParameters(events: readonly WebhookEvent[]) {
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
    RECEIVING_STATUSES,
    new Date(),
    events.map((event) => event.subject ?? null),
    traceParents(events),
    orderingKeys(events),
  ];
}

/** The events' ordering keys, or null when none has one: as `traceParents`, nothing to send then. */
function orderingKeys(events: readonly WebhookEvent[]): Array<string | null> | null {
  if (!events.some((event) => event.orderingKey)) return null;
  return events.map((event) => event.orderingKey ?? null);
}

/**
 * The events' `traceparent`s, or null when none has one (no OpenTelemetry SDK): ROWS FROM pads the
 * shorter function with nulls, and the parameter costs nothing to send.
 */
function traceParents(events: readonly WebhookEvent[]): Array<string | null> | null {
  if (!events.some((event) => event.traceParent)) return null;
  return events.map((event) => event.traceParent ?? null);
}
