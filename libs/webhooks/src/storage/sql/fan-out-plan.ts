import { ALL_LISTS } from '../../webhooks.constants';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookDelivery } from '../entities/delivery.entity';
import type { WebhookEvent } from '../entities/event.entity';
import { WebhookSubscription } from '../entities/subscription.entity';
import { RECEIVING_STATUSES, type WrittenDelivery } from '../outbox.store';
import type { SqlDialect } from '../sql-dialect';
import { subscriptionMatches } from '../subscription-matching';
import { entitySql } from './entity-sql';

/** (tenant, list) pairs per candidate query. */
const LISTS_PER_QUERY = 100;

const CANDIDATE_COLUMNS = ['id', 'tenantId', 'listId', 'events', 'sources', 'filter'] as const;
type Candidate = Pick<WebhookSubscription, (typeof CANDIDATE_COLUMNS)[number]>;

export type DeliveryRow = Pick<
  WebhookDelivery,
  'id' | 'eventId' | 'subscriptionId' | 'tenantId' | 'status' | 'attempts' | 'nextAttemptAt'
> & {
  /** Undefined when no event of the batch has one: the INSERT leaves the column out. */
  orderingKey?: string | null;
};

export interface FanOutPlan {
  rows: DeliveryRow[];
  /** Each event's deliveries, in the order of the events. */
  deliveries: WrittenDelivery[][];
}

/** Receiving subscriptions of some (tenant, list) pairs: one statement per batch of events. */
export interface FanOutQuery {
  statement(lists: ReadonlyArray<{ tenantId: string; listId: string }>): [string, unknown[]];
  read(row: Record<string, unknown>): Candidate;
}

const listKey = (item: { tenantId: string; listId: string }) =>
  JSON.stringify([item.tenantId, item.listId]);

/**
 * One delivery per event and receiving subscription of its list, or of all lists, that matches it
 * (see `subscriptionMatches`).
 */
export async function planFanOut(
  manager: EntityManager,
  query: FanOutQuery,
  events: readonly WebhookEvent[],
): Promise<FanOutPlan> {
  const candidates = await candidatesByList(manager, query, events);
  const now = new Date();
  // The rows of a batch without ordering keys leave the column out of the INSERT (its default is
  // null): unordered emits write what they wrote before. All rows of a batch share one shape.
  const keyed = events.some((event) => event.orderingKey);
  const rows: DeliveryRow[] = [];
  const deliveries = events.map((event) =>
    [
      ...(candidates.get(listKey(event)) ?? []),
      ...(candidates.get(listKey({ tenantId: event.tenantId, listId: ALL_LISTS })) ?? []),
    ]
      .filter((subscription) => subscriptionMatches(subscription, event))
      .map((subscription) => {
        const id = uuidv7();
        rows.push({
          id,
          eventId: event.id,
          subscriptionId: subscription.id,
          tenantId: event.tenantId,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          orderingKey: keyed ? (event.orderingKey ?? null) : undefined,
        });
        return { id, subscriptionId: subscription.id };
      }),
  );
  return { rows, deliveries };
}

async function candidatesByList(
  manager: EntityManager,
  query: FanOutQuery,
  events: readonly WebhookEvent[],
): Promise<Map<string, Candidate[]>> {
  // Each event's list, and the all-lists scope of its tenant.
  const scopes = events.flatMap((event) => [
    { tenantId: event.tenantId, listId: event.listId },
    { tenantId: event.tenantId, listId: ALL_LISTS },
  ]);
  const lists = [...new Map(scopes.map((scope) => [listKey(scope), scope] as const)).values()];
  const byList = new Map<string, Candidate[]>();
  for (let start = 0; start < lists.length; start += LISTS_PER_QUERY) {
    const [sql, parameters] = query.statement(lists.slice(start, start + LISTS_PER_QUERY));
    const rows = await manager.query<Array<Record<string, unknown>>>(sql, parameters);
    for (const row of rows) {
      const subscription = query.read(row);
      const key = listKey(subscription);
      const list = byList.get(key);
      if (list) list.push(subscription);
      else byList.set(key, [subscription]);
    }
  }
  return byList;
}

export function fanOutQuery(dataSource: DataSource, dialect: SqlDialect): FanOutQuery {
  const table = entitySql(dataSource, WebhookSubscription);
  const columns = table.reader('s', CANDIDATE_COLUMNS);
  const c = (property: Extract<keyof WebhookSubscription, string>) => `s.${table.column(property)}`;
  const from = `SELECT ${columns.select} FROM ${table.table} s`;
  const statuses = RECEIVING_STATUSES.map((_, index) => dialect.parameter(index)).join(', ');
  return {
    statement(lists) {
      const pairs = lists.map((_, index) => {
        const at = RECEIVING_STATUSES.length + 2 * index;
        return `(${c('tenantId')} = ${dialect.parameter(at)} AND ${c('listId')} = ${dialect.parameter(at + 1)})`;
      });
      return [
        `${from} WHERE ${c('status')} IN (${statuses}) AND (${pairs.join(' OR ')})`,
        [...RECEIVING_STATUSES, ...lists.flatMap((list) => [list.tenantId, list.listId])],
      ];
    },
    read: columns.read,
  };
}
