import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AttemptStore, type AttemptRecord } from '../attempt.store';
import { WebhookAttempt } from '../entities/attempt.entity';
import { WebhookDelivery } from '../entities/delivery.entity';
import { entitySql, type EntitySql } from '../sql/entity-sql';
import { insertRows } from '../sql/insert-rows';
import type { SqlDialect } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';
import { WebhooksTransactions } from '../webhooks-transactions';

const NONE_CANCELLED: ReadonlySet<string> = new Set();

/** Rows per multi-row INSERT: 10 columns each, under SQLite's bind-variable limit. */
const INSERT_CHUNK = 50;

/**
 * Attempts on MySQL/MariaDB and SQLite: one transaction, so one commit, for the whole batch; one
 * UPDATE per delivery, then a multi-row INSERT of the attempts, written by hand (the query
 * builder cost more CPU per attempt than SQLite took to run it).
 */
@Injectable()
export class TypeOrmAttemptStore extends AttemptStore {
  private readonly delivery: EntitySql<WebhookDelivery>;
  private readonly update: string;

  constructor(
    @InjectDataSource() protected readonly dataSource: DataSource,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
    private readonly transactions: WebhooksTransactions,
  ) {
    super();
    this.delivery = entitySql(dataSource, WebhookDelivery);
    const d = this.delivery.column.bind(this.delivery);
    const p = (index: number) => dialect.parameter(index);
    this.update = `UPDATE ${this.delivery.table} SET ${d('status')} = ${p(0)}, ${d('attempts')} = ${p(1)},
        ${d('lastAttemptAt')} = ${p(2)}, ${d('lastStatusCode')} = ${p(3)},
        ${d('nextAttemptAt')} = ${p(4)}, ${d('updatedAt')} = CURRENT_TIMESTAMP
      WHERE ${d('id')} = ${p(5)} AND ${d('attempts')} = ${p(6)} AND ${d('status')} <> 'cancelled'`;
  }

  record(records: readonly AttemptRecord[]): Promise<boolean[]> {
    return this.transactions.run(async (manager) => {
      // The transaction's query runner: its structured result says how many rows changed.
      const runner = manager.queryRunner as QueryRunner;
      const seen = new Set<string>();
      const recorded: boolean[] = [];
      for (const record of records) {
        if (seen.has(record.deliveryId)) {
          recorded.push(false);
          continue;
        }
        seen.add(record.deliveryId);
        const result = await runner.query(
          this.update,
          [
            this.delivery.persisted('status', record.status),
            record.attempt,
            this.delivery.persisted('lastAttemptAt', record.attemptedAt),
            record.outcome.statusCode,
            this.delivery.persisted('nextAttemptAt', record.nextAttemptAt),
            record.deliveryId,
            record.attempt - 1,
          ],
          true,
        );
        recorded.push((result.affected ?? 0) > 0);
      }
      const unrecorded = records.filter((_, index) => !recorded[index]);
      // Mostly none: then no await, which would cost every batch a promise and a microtask turn.
      const erased =
        unrecorded.length === 0
          ? NONE_CANCELLED
          : await this.cancelledAmong(
              manager,
              unrecorded.map((record) => record.deliveryId),
            );
      await insertRows(
        manager,
        WebhookAttempt,
        records.map((record) => toAttemptRow(record, erased.has(record.deliveryId))),
        INSERT_CHUNK,
      );
      return recorded;
    });
  }

  /**
   * Which of these deliveries were cancelled (their subject erased): a late attempt keeps no answer
   * that may echo it. Asked only about attempts that were not recorded, which are rare.
   */
  private async cancelledAmong(manager: EntityManager, ids: string[]): Promise<Set<string>> {
    const cancelled = await manager.getRepository(WebhookDelivery).find({
      where: { id: In([...new Set(ids)]), status: 'cancelled' },
      select: { id: true },
    });
    return new Set(cancelled.map((delivery) => delivery.id));
  }

  listForDeliveries(deliveryIds: readonly string[]): Promise<WebhookAttempt[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.dataSource.getRepository(WebhookAttempt).find({
      where: { deliveryId: In([...deliveryIds]) },
      order: { attemptNumber: 'ASC' },
    });
  }
}

function toAttemptRow(record: AttemptRecord, erased: boolean) {
  return {
    id: uuidv7(),
    deliveryId: record.deliveryId,
    attemptNumber: record.attempt,
    trigger: record.trigger,
    statusCode: record.outcome.statusCode,
    durationMs: record.outcome.durationMs,
    errorKind: record.outcome.errorKind,
    errorMessage: record.outcome.errorMessage,
    responseExcerpt: erased ? null : record.outcome.responseExcerpt,
    createdAt: record.attemptedAt,
  };
}
