import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { entitySql, placeholders, type EntitySql } from '../storage/sql/entity-sql';
import { insertRows } from '../storage/sql/insert-rows';
import { GroupCommit } from '../common/group-commit';
import { WebhooksTransactions } from '../storage/webhooks-transactions';
import { WebhookAttempt, type AttemptTrigger } from '../storage/entities/attempt.entity';
import { WebhookDelivery, type DeliveryStatus } from '../storage/entities/delivery.entity';
import type { SendOutcome } from './http-sender';

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  trigger: AttemptTrigger;
  outcome: SendOutcome;
  /** The delivery's status after this attempt. */
  status: DeliveryStatus;
  attemptedAt: Date;
  nextAttemptAt: Date | null;
}

/** Attempts written by one statement (PostgreSQL) or one transaction (SQLite). */
const MAX_BATCH = 200;
/** Rows per multi-row INSERT on SQLite: 10 columns each, under its bind-variable limit. */
const SQLITE_INSERT_CHUNK = 50;

/**
 * Records attempts: the attempt row, and the delivery's new state unless another attempt of the
 * same delivery was recorded first. Attempts finishing at about the same time share one statement
 * and one commit (group commit), which is what lets a worker keep up with a fast receiver.
 */
@Injectable()
export class AttemptRecorder {
  private readonly batches: GroupCommit<AttemptRecord, boolean>;
  private readonly postgresStatement: string | null;
  private portableUpdate: PortableUpdate | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
  ) {
    this.postgresStatement =
      dataSource.options.type === 'postgres' ? this.buildPostgresStatement() : null;
    // One statement at a time: attempts ending meanwhile wait and share the next one. Two at a time
    // halved the batches, and each statement costs the worker a wake-up of PostgreSQL (the bench's
    // profile: more than the rows themselves).
    this.batches = new GroupCommit((records) => this.recordMany(records), {
      maxBatch: MAX_BATCH,
      maxConcurrentFlushes: 1,
    });
  }

  /** Resolves to false when the delivery had already moved past this attempt. */
  record(record: AttemptRecord): Promise<boolean> {
    return this.batches.submit(record);
  }

  private recordMany(records: AttemptRecord[]): Promise<boolean[]> {
    return this.postgresStatement
      ? this.recordOnPostgres(this.postgresStatement, records)
      : this.recordInTransaction(records);
  }

  /** One statement: unnest the batch, insert the attempts, update the deliveries still at attempt - 1. */
  private buildPostgresStatement(): string {
    const delivery = entitySql(this.dataSource, WebhookDelivery);
    const attempt = entitySql(this.dataSource, WebhookAttempt);
    const d = delivery.column.bind(delivery);
    const a = attempt.column.bind(attempt);
    return `
      WITH input AS (
        SELECT * FROM unnest(
          $1::uuid[], $2::int[], $3::varchar[], $4::int[], $5::timestamp[], $6::timestamp[],
          $7::uuid[], $8::varchar[], $9::int[], $10::varchar[], $11::varchar[], $12::text[],
          $13::boolean[]
        ) AS t(delivery_id, attempt, status, status_code, attempted_at, next_attempt_at,
               attempt_id, trigger, duration_ms, error_kind, error_message, response_excerpt,
               first_for_delivery)
      ), inserted AS (
        INSERT INTO ${attempt.table} (${a('id')}, ${a('deliveryId')}, ${a('attemptNumber')},
          ${a('trigger')}, ${a('statusCode')}, ${a('durationMs')}, ${a('errorKind')},
          ${a('errorMessage')}, ${a('responseExcerpt')}, ${a('createdAt')})
        SELECT attempt_id, delivery_id, attempt, trigger, status_code, duration_ms, error_kind,
          error_message, response_excerpt, attempted_at
        FROM input
      ), updated AS (
        UPDATE ${delivery.table} AS delivery
        SET ${d('status')} = input.status, ${d('attempts')} = input.attempt,
          ${d('lastAttemptAt')} = input.attempted_at, ${d('lastStatusCode')} = input.status_code,
          ${d('nextAttemptAt')} = input.next_attempt_at, ${d('updatedAt')} = CURRENT_TIMESTAMP
        FROM input
        WHERE delivery.${d('id')} = input.delivery_id
          AND delivery.${d('attempts')} = input.attempt - 1
          AND input.first_for_delivery
        RETURNING delivery.${d('id')} AS id
      )
      SELECT id FROM updated`;
  }

  private async recordOnPostgres(statement: string, records: AttemptRecord[]): Promise<boolean[]> {
    const seen = new Set<string>();
    const first = records.map((record) => {
      const isFirst = !seen.has(record.deliveryId);
      seen.add(record.deliveryId);
      return isFirst;
    });
    const column = <T>(pick: (record: AttemptRecord) => T) => records.map(pick);
    const rows = await this.dataSource.query<Array<{ id: string }>>(statement, [
      column((r) => r.deliveryId),
      column((r) => r.attempt),
      column((r) => r.status),
      column((r) => r.outcome.statusCode),
      column((r) => r.attemptedAt),
      column((r) => r.nextAttemptAt),
      column(() => uuidv7()),
      column((r) => r.trigger),
      column((r) => r.outcome.durationMs),
      column((r) => r.outcome.errorKind),
      column((r) => r.outcome.errorMessage),
      column((r) => r.outcome.responseExcerpt),
      first,
    ]);
    const updated = new Set(rows.map((row) => row.id));
    return records.map((record, index) => first[index] && updated.has(record.deliveryId));
  }

  /** Portable path (SQLite): one transaction, so one commit, for the whole batch. */
  private recordInTransaction(records: AttemptRecord[]): Promise<boolean[]> {
    const update = (this.portableUpdate ??= buildPortableUpdate(this.dataSource));
    return this.transactions.run(async (manager) => {
      const attempts = records.map((record) => ({
        id: uuidv7(),
        deliveryId: record.deliveryId,
        attemptNumber: record.attempt,
        trigger: record.trigger,
        statusCode: record.outcome.statusCode,
        durationMs: record.outcome.durationMs,
        errorKind: record.outcome.errorKind,
        errorMessage: record.outcome.errorMessage,
        responseExcerpt: record.outcome.responseExcerpt,
        createdAt: record.attemptedAt,
      }));
      await insertRows(manager, WebhookAttempt, attempts, SQLITE_INSERT_CHUNK);
      // The transaction's query runner: its structured result says how many rows changed.
      const runner = manager.queryRunner as QueryRunner;
      const recorded: boolean[] = [];
      for (const record of records) {
        const result = await runner.query(
          update.sql,
          [
            update.delivery.persisted('status', record.status),
            record.attempt,
            update.delivery.persisted('lastAttemptAt', record.attemptedAt),
            record.outcome.statusCode,
            update.delivery.persisted('nextAttemptAt', record.nextAttemptAt),
            record.deliveryId,
            record.attempt - 1,
          ],
          true,
        );
        recorded.push((result.affected ?? 0) > 0);
      }
      return recorded;
    });
  }
}

interface PortableUpdate {
  sql: string;
  delivery: EntitySql<WebhookDelivery>;
}

/**
 * The delivery's new state, unless another attempt was recorded first; written by hand, as the
 * query builder cost more CPU per attempt than SQLite took to run it (bench S9 profile).
 */
function buildPortableUpdate(dataSource: DataSource): PortableUpdate {
  const delivery = entitySql(dataSource, WebhookDelivery);
  const d = delivery.column.bind(delivery);
  const parameter = placeholders(dataSource);
  const sql = `UPDATE ${delivery.table} SET ${d('status')} = ${parameter(0)}, ${d('attempts')} = ${parameter(1)},
      ${d('lastAttemptAt')} = ${parameter(2)}, ${d('lastStatusCode')} = ${parameter(3)},
      ${d('nextAttemptAt')} = ${parameter(4)}, ${d('updatedAt')} = CURRENT_TIMESTAMP
    WHERE ${d('id')} = ${parameter(5)} AND ${d('attempts')} = ${parameter(6)}`;
  return { sql, delivery };
}
