import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { WebhookAttempt } from '../entities/attempt.entity';
import { WebhookDelivery } from '../entities/delivery.entity';
import { WebhookEvent } from '../entities/event.entity';
import {
  HistoryStore,
  type ErasedRows,
  type PruneBatch,
  type PruneBatchQuery,
  type PrunedRows,
} from '../history.store';
import { entitySql } from '../sql/entity-sql';
import type { IdMembership, SqlDialect } from '../sql-dialect';
import { LOWEST_UUID } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';
import { WebhooksTransactions } from '../webhooks-transactions';

/** An event's deliveries at a glance: is one still open, has one failed. */
interface EventState {
  is_open: number | string;
  has_failures: number | string;
}

interface ScannedEvent extends EventState {
  id: string;
}

/** A delivery as the delete transaction locked it. */
interface LockedDelivery extends EventState {
  event_id: string;
}

/**
 * The history's lifecycle on every database, in portable SQL: ids are selected first, then the rows
 * are deleted by id in one short transaction per batch, attempts, deliveries, then events, so no
 * statement scans or locks more than a batch. That transaction first locks the batch's deliveries and
 * reads them again: one reopened since the scan (an operator's redelivery) keeps its event.
 */
@Injectable()
export class TypeOrmHistoryStore extends HistoryStore {
  private readonly scanStatement: string;
  private readonly lockDeliveries: string;
  private readonly deleteAttempts: string;
  private readonly deleteDeliveries: string;
  private readonly deleteEvents: string;
  private readonly byDeliveryEvent: IdMembership;
  private readonly byEventOfDelivery: IdMembership;
  private readonly byEvent: IdMembership;
  private readonly subjectEvents: string;
  private readonly cancelDeliveries: string;
  private readonly redactAttempts: string;
  private readonly redactEvents: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) private readonly dialect: SqlDialect,
    private readonly transactions: WebhooksTransactions,
  ) {
    super();
    const event = entitySql(dataSource, WebhookEvent);
    const delivery = entitySql(dataSource, WebhookDelivery);
    const attempt = entitySql(dataSource, WebhookAttempt);
    const e = (property: Extract<keyof WebhookEvent, string>) => `e.${event.column(property)}`;
    const d = (property: Extract<keyof WebhookDelivery, string>) =>
      `d.${delivery.column(property)}`;
    const deliveriesOfEvent = (condition: string) =>
      `CASE WHEN EXISTS (SELECT 1 FROM ${delivery.table} d
        WHERE ${d('eventId')} = ${e('id')} AND (${condition})) THEN 1 ELSE 0 END`;
    const p = (index: number) => dialect.parameter(index);
    // Open: a delivery still to be attempted (a failed one with a retry due included).
    const isOpen = `${d('status')} IN ('pending', 'held')
      OR (${d('status')} = 'failed' AND ${d('nextAttemptAt')} IS NOT NULL)`;
    const hasFailed = `${d('status')} IN ('failed', 'exhausted')`;
    this.scanStatement = `SELECT ${e('id')} AS id,
        ${deliveriesOfEvent(isOpen)} AS is_open,
        ${deliveriesOfEvent(hasFailed)} AS has_failures
      FROM ${event.table} e
      WHERE ${e('id')} > ${p(0)} AND ${e('id')} < ${p(1)}
      ORDER BY ${e('id')}
      LIMIT `;
    this.byDeliveryEvent = dialect.idMembership(d('eventId'), 0);
    this.lockDeliveries = `SELECT ${d('eventId')} AS event_id,
        CASE WHEN ${isOpen} THEN 1 ELSE 0 END AS is_open,
        CASE WHEN ${hasFailed} THEN 1 ELSE 0 END AS has_failures
      FROM ${delivery.table} d WHERE `;
    this.byEvent = dialect.idMembership(event.column('id'), 0);
    this.deleteAttempts = `DELETE FROM ${attempt.table} WHERE ${attempt.column('deliveryId')} IN
      (SELECT ${d('id')} FROM ${delivery.table} d WHERE `;
    this.byEventOfDelivery = dialect.idMembership(delivery.column('eventId'), 0);
    this.deleteDeliveries = `DELETE FROM ${delivery.table} WHERE `;
    this.deleteEvents = `DELETE FROM ${event.table} WHERE `;

    this.subjectEvents = `SELECT ${e('id')} AS id FROM ${event.table} e
      WHERE ${e('subject')} = ${p(0)} ORDER BY ${e('id')} LIMIT `;
    const column = (property: Extract<keyof WebhookDelivery, string>) => delivery.column(property);
    this.cancelDeliveries = `UPDATE ${delivery.table}
      SET ${column('status')} = 'cancelled', ${column('nextAttemptAt')} = NULL,
        ${column('updatedAt')} = CURRENT_TIMESTAMP
      WHERE ${column('status')} IN ('pending', 'held', 'failed') AND `;
    this.redactAttempts = `UPDATE ${attempt.table} SET ${attempt.column('responseExcerpt')} = NULL
      WHERE ${attempt.column('responseExcerpt')} IS NOT NULL AND ${attempt.column('deliveryId')} IN
      (SELECT ${d('id')} FROM ${delivery.table} d WHERE `;
    this.redactEvents = `UPDATE ${event.table}
      SET ${event.column('data')} = '{}', ${event.column('subject')} = NULL WHERE `;
  }

  async pruneBatch(query: PruneBatchQuery): Promise<PruneBatch> {
    const scanned = await this.dataSource.query<ScannedEvent[]>(
      this.scanStatement + String(Math.max(1, Math.floor(query.limit))),
      [query.afterId ?? LOWEST_UUID, query.scanBefore],
    );
    const prunable = scanned
      .filter((event) => isPrunable(event, query))
      .map((event) => String(event.id));
    const lastScannedId = scanned.length < query.limit ? null : String(scanned.at(-1)?.id);
    if (prunable.length === 0) return { lastScannedId, pruned: nothingPruned() };
    const pruned = await this.transactions.run(async (manager) => {
      const stillPrunable = await this.lockPrunable(manager, prunable, query);
      return stillPrunable.length === 0
        ? nothingPruned()
        : this.deleteHistory(manager, stillPrunable);
    });
    return { lastScannedId, pruned };
  }

  async eraseSubjectBatch(subject: string, limit: number): Promise<ErasedRows> {
    const found = await this.dataSource.query<Array<{ id: string }>>(
      this.subjectEvents + String(Math.max(1, Math.floor(limit))),
      [subject],
    );
    const eventIds = found.map((event) => String(event.id));
    if (eventIds.length === 0) return { found: 0, events: 0, attempts: 0, deliveriesCancelled: 0 };
    return this.transactions.run(async (manager) => {
      const affected = affectedRows(manager, eventIds);
      // Cancelled first: an attempt finishing meanwhile can no longer schedule another.
      const deliveriesCancelled = await affected(this.cancelDeliveries, this.byEventOfDelivery);
      const attempts = await affected(this.redactAttempts, closing(this.byDeliveryEvent));
      const events = await affected(this.redactEvents, this.byEvent);
      return { found: eventIds.length, events, attempts, deliveriesCancelled };
    });
  }

  /**
   * Locks the deliveries of the events scanned prunable until the transaction ends, and judges the
   * events again on them: a redelivery committed since the scan is waited for and seen (its event
   * stays); one coming later waits for this transaction, then finds its delivery gone.
   */
  private async lockPrunable(
    manager: EntityManager,
    eventIds: string[],
    query: PruneBatchQuery,
  ): Promise<string[]> {
    const locked = await manager.query<LockedDelivery[]>(
      this.dialect.lockingRead(
        this.lockDeliveries + this.byDeliveryEvent.condition(eventIds.length),
      ),
      this.byDeliveryEvent.parameters(eventIds),
    );
    const events = new Map<string, ScannedEvent>(
      eventIds.map((id) => [id, { id, is_open: 0, has_failures: 0 }]),
    );
    for (const delivery of locked) {
      const event = events.get(String(delivery.event_id));
      if (!event) continue;
      if (Number(delivery.is_open)) event.is_open = 1;
      if (Number(delivery.has_failures)) event.has_failures = 1;
    }
    return [...events.values()]
      .filter((event) => isPrunable(event, query))
      .map((event) => event.id);
  }

  private async deleteHistory(manager: EntityManager, eventIds: string[]): Promise<PrunedRows> {
    const affected = affectedRows(manager, eventIds);
    const attempts = await affected(this.deleteAttempts, closing(this.byDeliveryEvent));
    const deliveries = await affected(this.deleteDeliveries, this.byEventOfDelivery);
    const events = await affected(this.deleteEvents, this.byEvent);
    return { events, deliveries, attempts };
  }
}

function nothingPruned(): PrunedRows {
  return { events: 0, deliveries: 0, attempts: 0 };
}

/** Runs a statement on the events' ids in the transaction of `manager`: how many rows it changed. */
function affectedRows(manager: EntityManager, eventIds: string[]) {
  const runner = manager.queryRunner as QueryRunner;
  return async (statement: string, membership: IdMembership): Promise<number> => {
    const result = await runner.query(
      statement + membership.condition(eventIds.length),
      membership.parameters(eventIds),
      true,
    );
    return result.affected ?? 0;
  };
}

/** The membership condition of a statement ending in a subquery, closing its parenthesis. */
function closing(membership: IdMembership): IdMembership {
  return {
    condition: (count) => `${membership.condition(count)})`,
    parameters: (ids) => membership.parameters(ids),
  };
}

function isPrunable(event: ScannedEvent, query: PruneBatchQuery): boolean {
  if (Number(event.is_open)) return false;
  const before = Number(event.has_failures) ? query.failedBefore : query.settledBefore;
  return before !== null && String(event.id) < before;
}
