import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { entitySql, placeholders } from './entity-sql';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookEvent } from '../entities/event.entity';
import { subscriptionMatches } from '../subscription-matching';
import { WebhookSubscription } from '../entities/subscription.entity';
import { WebhookDelivery } from '../entities/delivery.entity';

/** (tenant, list) pairs per candidate query. */
const LISTS_PER_QUERY = 100;
/** Paused and unverified subscriptions get their deliveries too: held until they become active. */
export const RECEIVING_STATUSES = ['active', 'paused', 'pending_verification'] as const;

const CANDIDATE_COLUMNS = ['id', 'tenantId', 'listId', 'events', 'sources'] as const;
type Candidate = Pick<WebhookSubscription, (typeof CANDIDATE_COLUMNS)[number]>;

export type DeliveryRow = Pick<
  WebhookDelivery,
  'id' | 'eventId' | 'subscriptionId' | 'tenantId' | 'status' | 'attempts' | 'nextAttemptAt'
>;

export interface FanOutPlan {
  rows: DeliveryRow[];
  deliveryIds: string[][];
}

const listKey = (item: { tenantId: string; listId: string }) =>
  JSON.stringify([item.tenantId, item.listId]);

/** Plans one delivery per event and matching subscription that is not disabled (portable path). */
@Injectable()
export class FanOutService {
  private readonly query: CandidateQuery;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.query = buildCandidateQuery(dataSource);
  }

  /** The delivery rows to write for `events`, and their ids per event (in the order of `events`). */
  async plan(manager: EntityManager, events: readonly WebhookEvent[]): Promise<FanOutPlan> {
    const candidates = await this.candidatesByList(manager, events);
    const now = new Date();
    const rows: DeliveryRow[] = [];
    const deliveryIds = events.map((event) =>
      (candidates.get(listKey(event)) ?? [])
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
          });
          return id;
        }),
    );
    return { rows, deliveryIds };
  }

  private async candidatesByList(
    manager: EntityManager,
    events: readonly WebhookEvent[],
  ): Promise<Map<string, Candidate[]>> {
    const lists = [...new Map(events.map((event) => [listKey(event), event] as const)).values()];
    const byList = new Map<string, Candidate[]>();
    for (let start = 0; start < lists.length; start += LISTS_PER_QUERY) {
      const [sql, parameters] = this.query.statement(lists.slice(start, start + LISTS_PER_QUERY));
      const rows = await manager.query<Array<Record<string, unknown>>>(sql, parameters);
      for (const row of rows) {
        const subscription = this.query.read(row);
        const key = listKey(subscription);
        const list = byList.get(key);
        if (list) list.push(subscription);
        else byList.set(key, [subscription]);
      }
    }
    return byList;
  }
}

interface CandidateQuery {
  statement(lists: ReadonlyArray<{ tenantId: string; listId: string }>): [string, unknown[]];
  read(row: Record<string, unknown>): Candidate;
}

/**
 * Receiving subscriptions of some (tenant, list) pairs: one statement per batch of events. (On
 * PostgreSQL the outbox statement matches subscriptions itself: see `OutboxWriter`.)
 */
function buildCandidateQuery(dataSource: DataSource): CandidateQuery {
  const table = entitySql(dataSource, WebhookSubscription);
  const columns = table.reader('s', CANDIDATE_COLUMNS);
  const c = (property: Extract<keyof WebhookSubscription, string>) => `s.${table.column(property)}`;
  const from = `SELECT ${columns.select} FROM ${table.table} s`;
  const parameter = placeholders(dataSource);
  const statuses = RECEIVING_STATUSES.map((_, index) => parameter(index)).join(', ');
  return {
    statement(lists) {
      const pairs = lists.map((_, index) => {
        const at = RECEIVING_STATUSES.length + 2 * index;
        return `(${c('tenantId')} = ${parameter(at)} AND ${c('listId')} = ${parameter(at + 1)})`;
      });
      return [
        `${from} WHERE ${c('status')} IN (${statuses}) AND (${pairs.join(' OR ')})`,
        [...RECEIVING_STATUSES, ...lists.flatMap((list) => [list.tenantId, list.listId])],
      ];
    },
    read: columns.read,
  };
}
