import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, Not, type DataSource } from 'typeorm';
import {
  ATTEMPT_DELIVERY_COLUMNS,
  ATTEMPT_EVENT_COLUMNS,
  ATTEMPT_SUBSCRIPTION_COLUMNS,
  DeliveryStore,
  LoadedDelivery,
  type AttemptRef,
  type OrderingKeyRef,
  type DeliveryPageQuery,
  type ListedDelivery,
  type OrderingTurn,
  type RecoverableQuery,
  type RequeueOutcome,
} from '../delivery.store';
import { UNFINISHED_DELIVERY, WebhookDelivery } from '../entities/delivery.entity';
import { WebhookEvent } from '../entities/event.entity';
import { WebhookSubscription } from '../entities/subscription.entity';
import { entitySql } from '../sql/entity-sql';
import { SQL_DIALECT } from '../storage.tokens';
import type { IdMembership, SqlDialect } from '../sql-dialect';
import { LOWEST_UUID, rawDate } from '../sql-dialect';
import { SubscriptionSecrets } from '../subscription-secrets';
import { WebhooksTransactions } from '../webhooks-transactions';

/** Ids per hand-written statement. */
const MAX_IDS = 500;
/** Ordering keys looked up by one statement (two parameters each). */
const MAX_TURNS = 100;

/**
 * Pending and failed deliveries (the relay's), and held ones, each through the due index: the
 * condition repeats the index's own, which SQLite needs to read in the query to use it.
 */
const dueCondition = (status: string) => `${status} ${UNFINISHED_DELIVERY} AND ${status} <> 'held'`;
const heldCondition = (status: string) => `${status} ${UNFINISHED_DELIVERY} AND ${status} = 'held'`;

/**
 * Deliveries on every database. The worker's statements (load, owners, due times, turns) are written
 * by hand once and read column by column: they run for every attempt or job, and a query builder with
 * entity hydration cost more CPU than the HTTP request. The rest goes through TypeORM.
 */
@Injectable()
export class TypeOrmDeliveryStore extends DeliveryStore {
  private readonly logger = new Logger('WebhooksStorage');
  private readonly loadStatement: string;
  private readonly loadIds: IdMembership;
  private readonly readLoaded: (row: Record<string, unknown>) => LoadedDelivery;
  private readonly dueStatement: string;
  private readonly dueIds: IdMembership;
  private readonly persistedDueAt: (at: Date) => unknown;
  /** The statement and parameters looking up the turns of up to MAX_TURNS keys. */
  private readonly turnQuery: (keys: readonly OrderingKeyRef[]) => [string, unknown[]];
  private readonly readTurn: (
    row: Record<string, unknown>,
  ) => Pick<WebhookDelivery, 'id' | 'attempts' | 'nextAttemptAt'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
    secrets: SubscriptionSecrets,
    private readonly transactions: WebhooksTransactions,
  ) {
    super();
    const delivery = entitySql(dataSource, WebhookDelivery);
    const event = entitySql(dataSource, WebhookEvent);
    const subscription = entitySql(dataSource, WebhookSubscription);
    const deliveries = delivery.reader('d', ATTEMPT_DELIVERY_COLUMNS);
    const events = event.reader('e', ATTEMPT_EVENT_COLUMNS);
    const subscriptions = subscription.reader('s', ATTEMPT_SUBSCRIPTION_COLUMNS);
    const columnsOf = (alias: string) => (property: Extract<keyof WebhookDelivery, string>) =>
      `${alias}.${delivery.column(property)}`;
    const d = columnsOf('d');
    const w = columnsOf('w');
    // A keyed delivery's turn, asked with its load (on the ordering index, like the turn lookup
    // below): most keyed deliveries are their key's turn, and then need no lookup of their own.
    const behindEarlier = `CASE WHEN ${d('orderingKey')} IS NULL THEN 0
        WHEN EXISTS (SELECT 1 FROM ${delivery.table} w
          WHERE ${w('subscriptionId')} = ${d('subscriptionId')} AND ${w('orderingKey')} = ${d('orderingKey')}
            AND ${w('status')} ${UNFINISHED_DELIVERY} AND ${w('id')} < ${d('id')}) THEN 1
        ELSE 0 END AS d_behind`;
    this.loadStatement = `SELECT ${deliveries.select}, ${events.select},
        ${dialect.jsonAsText(`e.${event.column('data')}`)} AS e_data, ${subscriptions.select},
        ${behindEarlier}
      FROM ${delivery.table} d
      JOIN ${event.table} e ON e.${event.column('id')} = ${d('eventId')}
      JOIN ${subscription.table} s ON s.${subscription.column('id')} = ${d('subscriptionId')}
      WHERE `;
    this.loadIds = dialect.idMembership(d('id'), 0);
    this.readLoaded = (row) =>
      new LoadedDelivery(
        deliveries.read(row),
        { ...events.read(row), dataJson: row.e_data as string },
        // Decrypted values are cached by row and envelope: a batch pays once per subscription.
        secrets.open(subscriptions.read(row)),
        Number(row.d_behind) === 1,
      );

    const column = delivery.column.bind(delivery);
    // Leases of parked attempts run in batches of hundreds: the query builder's `IN (:...ids)` made
    // a new statement text, expanded parameter by parameter, for every batch size.
    this.dueStatement = `UPDATE ${delivery.table}
      SET ${column('nextAttemptAt')} = ${dialect.parameter(0)}, ${column('updatedAt')} = CURRENT_TIMESTAMP
      WHERE ${column('attempts')} = ${dialect.parameter(1)} AND ${column('status')} IN ('pending', 'failed') AND `;
    this.dueIds = dialect.idMembership(column('id'), 2);
    this.persistedDueAt = (at) => delivery.persisted('nextAttemptAt', at);

    // On the ordering index (subscriptionId, orderingKey, id; on PostgreSQL and SQLite only over
    // unfinished keyed deliveries): a key's first unfinished delivery. Hand-written like the load:
    // every keyed attempt runs it, and those of attempts starting together share one statement.
    const turn = delivery.reader('d', ['id', 'attempts', 'nextAttemptAt'] as const);
    const firstUnfinished = (subscriptionId: string, orderingKey: string, tag = '') =>
      `SELECT ${tag}${turn.select} FROM ${delivery.table} d
          WHERE ${d('subscriptionId')} = ${subscriptionId} AND ${d('orderingKey')} = ${orderingKey}
            AND ${d('status')} ${UNFINISHED_DELIVERY}
          ORDER BY ${d('id')} LIMIT 1`;
    if (dialect.name === 'postgres') {
      // The keys as two arrays, each joined to its lookup: one short statement to plan whatever the
      // count. A derived table per key joined by UNION ALL took 10 ms to plan for 50 keys.
      const statement = `SELECT v.i - 1 AS turn_index, t.*
        FROM unnest(${dialect.parameter(0)}::uuid[], ${dialect.parameter(1)}::varchar[])
          WITH ORDINALITY AS v(s, k, i)
        CROSS JOIN LATERAL (${firstUnfinished('v.s', 'v.k')}) t`;
      this.turnQuery = (keys) => [
        statement,
        [keys.map((key) => key.subscriptionId), keys.map((key) => key.orderingKey)],
      ];
    } else {
      // No LATERAL in SQLite, MariaDB or MySQL before 8.0.14: a derived table per key, tagged with
      // its position, joined by UNION ALL.
      this.turnQuery = (keys) => [
        keys
          .map(
            (_, index) =>
              `SELECT * FROM (${firstUnfinished(
                dialect.parameter(2 * index),
                dialect.parameter(2 * index + 1),
                `${index} AS turn_index, `,
              )}) t${index}`,
          )
          .join(' UNION ALL '),
        keys.flatMap(({ subscriptionId, orderingKey }) => [subscriptionId, orderingKey]),
      ];
    }
    this.readTurn = turn.read;
  }

  private get deliveries() {
    return this.dataSource.getRepository(WebhookDelivery);
  }

  async loadForAttempts(ids: readonly string[]): Promise<Array<LoadedDelivery | null>> {
    const unique = [...new Set(ids)];
    const found = new Map<string, Record<string, unknown>>();
    for (let start = 0; start < unique.length; start += MAX_IDS) {
      const chunk = unique.slice(start, start + MAX_IDS);
      const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
        this.loadStatement + this.loadIds.condition(chunk.length),
        this.loadIds.parameters(chunk),
      );
      for (const row of rows) found.set(row.d_id as string, row);
      // The driver's result array may be pretenured too (see LoadedDelivery): emptied, it no longer
      // holds the rows' strings alive until the next full collection.
      rows.length = 0;
    }
    // One copy of an event's JSON for all its deliveries: a fan-out keeps thousands of them parked.
    const dataByEvent = new Map<string, string>();
    // Each caller reads its own objects: the attempter updates the delivery in place.
    return ids.map((id) => {
      const row = found.get(id);
      if (!row) return null;
      const one = this.readOne(row);
      if (!one) return null;
      const shared = dataByEvent.get(one.event.id);
      if (shared === undefined) dataByEvent.set(one.event.id, one.event.dataJson);
      else one.event.dataJson = shared;
      return one;
    });
  }

  /**
   * A row whose secrets cannot be decrypted (a key removed from the ring, a tampered value) is
   * skipped with a warning rather than failing the batch: the others are sent as usual.
   */
  private readOne(row: Record<string, unknown>): LoadedDelivery | null {
    try {
      return this.readLoaded(row);
    } catch (error) {
      this.logger.warn(
        `Delivery ${String(row.d_id)} skipped: its subscription ${String(row.s_id)} cannot be read (${error instanceof Error ? error.message : String(error)})`,
      );
      return null;
    }
  }

  async setDue(attempts: readonly AttemptRef[], at: Date): Promise<void> {
    const idsByAttempt = new Map<number, string[]>();
    for (const { deliveryId, attempt } of attempts) {
      const ids = idsByAttempt.get(attempt);
      if (ids) ids.push(deliveryId);
      else idsByAttempt.set(attempt, [deliveryId]);
    }
    for (const [attempt, allIds] of idsByAttempt) {
      for (let start = 0; start < allIds.length; start += MAX_IDS) {
        const ids = allIds.slice(start, start + MAX_IDS);
        await this.dataSource.query(this.dueStatement + this.dueIds.condition(ids.length), [
          this.persistedDueAt(at),
          attempt - 1,
          ...this.dueIds.parameters(ids),
        ]);
      }
    }
  }

  async findDue(cutoff: Date, afterId: string | null, limit: number): Promise<AttemptRef[]> {
    const due = await this.deliveries
      .createQueryBuilder('delivery')
      .select(['delivery.id', 'delivery.attempts'])
      .where(dueCondition('delivery.status'))
      .andWhere('delivery.nextAttemptAt <= :cutoff', { cutoff })
      .andWhere('delivery.id > :after', { after: afterId ?? LOWEST_UUID })
      .orderBy('delivery.id', 'ASC')
      .limit(limit)
      .getMany();
    return due.map(nextAttempt);
  }

  async findOrderingTurns(keys: readonly OrderingKeyRef[]): Promise<Array<OrderingTurn | null>> {
    const turns: Array<OrderingTurn | null> = keys.map(() => null);
    for (let start = 0; start < keys.length; start += MAX_TURNS) {
      const chunk = keys.slice(start, start + MAX_TURNS);
      const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
        ...this.turnQuery(chunk),
      );
      for (const row of rows) {
        const turn = this.readTurn(row);
        turns[start + Number(row.turn_index)] = {
          ...nextAttempt(turn),
          nextAttemptAt: turn.nextAttemptAt,
        };
      }
    }
    return turns;
  }

  async releaseOrphanedHolds(dueAt: Date): Promise<void> {
    const active = this.dataSource
      .getRepository(WebhookSubscription)
      .createQueryBuilder('subscription')
      .select('subscription.id')
      .where('subscription.status = :active');
    await this.deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', nextAttemptAt: dueAt })
      .where(heldCondition('status'))
      .andWhere(`subscriptionId IN (${active.getQuery()})`)
      .setParameters({ active: 'active' })
      .execute();
  }

  async hold(deliveryId: string, attempts: number): Promise<void> {
    await this.deliveries.update(
      { id: deliveryId, attempts, status: Not('cancelled') },
      { status: 'held', nextAttemptAt: null },
    );
  }

  async unhold(deliveryId: string): Promise<void> {
    await this.deliveries.update(
      { id: deliveryId, status: 'held' },
      { status: 'pending', nextAttemptAt: new Date() },
    );
  }

  async releaseHeld(subscriptionId: string, limit: number, at: Date): Promise<AttemptRef[]> {
    const held = await this.deliveries
      .createQueryBuilder('delivery')
      .select(['delivery.id', 'delivery.attempts'])
      .where('delivery.subscriptionId = :subscriptionId', { subscriptionId })
      .andWhere(heldCondition('delivery.status'))
      .orderBy('delivery.id', 'ASC')
      .limit(limit)
      .getMany();
    if (held.length === 0) return [];
    await this.deliveries.update(
      { id: In(held.map((delivery) => delivery.id)), status: 'held' },
      { status: 'pending', nextAttemptAt: at },
    );
    return held.map(nextAttempt);
  }

  async requeue(deliveryIds: readonly string[], at: Date): Promise<void> {
    for (let start = 0; start < deliveryIds.length; start += MAX_IDS) {
      await this.deliveries.update(
        { id: In(deliveryIds.slice(start, start + MAX_IDS)), status: Not('cancelled') },
        { status: 'pending', nextAttemptAt: at },
      );
    }
  }

  /** In a transaction of `WebhooksTransactions`: on SQLite, never in the middle of a prune's. */
  requeueOne(deliveryId: string, at: Date): Promise<RequeueOutcome> {
    return this.transactions.run(async (manager) => {
      const deliveries = manager.getRepository(WebhookDelivery);
      const claimed = await deliveries.update(
        { id: deliveryId, status: Not(In(['pending', 'cancelled'])) },
        { status: 'pending', nextAttemptAt: at },
      );
      if ((claimed.affected ?? 0) > 0) return 'requeued';
      const merged = await deliveries.update(
        { id: deliveryId, status: 'pending' },
        { nextAttemptAt: at },
      );
      return (merged.affected ?? 0) > 0 ? 'merged' : 'gone';
    });
  }

  findOne(
    tenantId: string,
    subscriptionId: string,
    deliveryId: string,
  ): Promise<WebhookDelivery | null> {
    return this.deliveries.findOneBy({ id: deliveryId, subscriptionId, tenantId });
  }

  async findRecoverable(query: RecoverableQuery): Promise<AttemptRef[]> {
    const deliveries = await this.deliveries
      .createQueryBuilder('delivery')
      .select(['delivery.id', 'delivery.attempts'])
      .innerJoin(WebhookEvent, 'event', 'event.id = delivery.eventId')
      .where('delivery.subscriptionId = :id', { id: query.subscriptionId })
      .andWhere('delivery.tenantId = :tenantId', { tenantId: query.tenantId })
      .andWhere('delivery.status IN (:...statuses)', { statuses: ['failed', 'exhausted'] })
      .andWhere('event.id >= :since', { since: query.fromEventId })
      .andWhere('event.type NOT IN (:...excluded)', { excluded: query.excludedTypes })
      .orderBy('delivery.id', 'ASC')
      .limit(query.limit)
      .getMany();
    return deliveries.map(nextAttempt);
  }

  async listPage(query: DeliveryPageQuery): Promise<ListedDelivery[]> {
    const page = this.deliveries
      .createQueryBuilder('delivery')
      .innerJoin(WebhookEvent, 'event', 'event.id = delivery.eventId')
      .addSelect('event.type', 'event_type')
      .where('delivery.subscriptionId = :subscriptionId', { subscriptionId: query.subscriptionId })
      .andWhere('delivery.tenantId = :tenantId', { tenantId: query.tenantId });
    if (query.status) page.andWhere('delivery.status = :status', { status: query.status });
    if (query.eventType) page.andWhere('event.type = :eventType', { eventType: query.eventType });
    if (query.beforeId) page.andWhere('delivery.id < :beforeId', { beforeId: query.beforeId });
    const { entities, raw } = await page
      .orderBy('delivery.id', 'DESC')
      .limit(query.limit)
      .getRawAndEntities<{ event_type: string }>();
    return entities.map((delivery, index) =>
      Object.assign(delivery, { eventType: String(raw[index].event_type) }),
    );
  }

  async oldestDueAt(): Promise<Date | null> {
    const oldest = await this.deliveries
      .createQueryBuilder('delivery')
      .select('MIN(delivery.nextAttemptAt)', 'oldest')
      .where(dueCondition('delivery.status'))
      .getRawOne<{ oldest: Date | string | null }>();
    return oldest?.oldest ? rawDate(oldest.oldest) : null;
  }
}

function nextAttempt(delivery: Pick<WebhookDelivery, 'id' | 'attempts'>): AttemptRef {
  return { deliveryId: delivery.id, attempt: delivery.attempts + 1 };
}
