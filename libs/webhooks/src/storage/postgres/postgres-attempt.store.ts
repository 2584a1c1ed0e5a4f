import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { AttemptRecord } from '../attempt.store';
import { WebhookAttempt } from '../entities/attempt.entity';
import { WebhookDelivery } from '../entities/delivery.entity';
import { entitySql } from '../sql/entity-sql';
import type { SqlDialect } from '../sql-dialect';
import { SQL_DIALECT } from '../storage.tokens';
import { TypeOrmAttemptStore } from '../typeorm/typeorm-attempt.store';
import { WebhooksTransactions } from '../webhooks-transactions';

/**
 * Attempts on PostgreSQL: one statement for the batch, whatever its size. It unnests the batch,
 * inserts the attempts and updates the deliveries still at `attempt - 1`.
 */
@Injectable()
export class PostgresAttemptStore extends TypeOrmAttemptStore {
  private readonly statement: string;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(SQL_DIALECT) dialect: SqlDialect,
    transactions: WebhooksTransactions,
  ) {
    super(dataSource, dialect, transactions);
    this.statement = buildStatement(dataSource);
  }

  override async record(records: readonly AttemptRecord[]): Promise<boolean[]> {
    const seen = new Set<string>();
    const first = records.map((record) => {
      const isFirst = !seen.has(record.deliveryId);
      seen.add(record.deliveryId);
      return isFirst;
    });
    const column = <T>(pick: (record: AttemptRecord) => T) => records.map(pick);
    const rows = await this.dataSource.query<Array<{ id: string }>>(this.statement, [
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
}

function buildStatement(dataSource: DataSource): string {
  const delivery = entitySql(dataSource, WebhookDelivery);
  const attempt = entitySql(dataSource, WebhookAttempt);
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
        error_message,
        -- An erased subject's delivery keeps no answer that may echo it, even from a late attempt.
        CASE WHEN erased.${d('id')} IS NULL THEN response_excerpt END, attempted_at
      FROM input
      LEFT JOIN ${delivery.table} AS erased
        ON erased.${d('id')} = input.delivery_id AND erased.${d('status')} = 'cancelled'
    ), updated AS (
      UPDATE ${delivery.table} AS delivery
      SET ${d('status')} = input.status, ${d('attempts')} = input.attempt,
        ${d('lastAttemptAt')} = input.attempted_at, ${d('lastStatusCode')} = input.status_code,
        ${d('nextAttemptAt')} = input.next_attempt_at, ${d('updatedAt')} = CURRENT_TIMESTAMP
      FROM input
      WHERE delivery.${d('id')} = input.delivery_id
        AND delivery.${d('attempts')} = input.attempt - 1
        AND delivery.${d('status')} <> 'cancelled'
        AND input.first_for_delivery
      RETURNING delivery.${d('id')} AS id
    )
    SELECT id FROM updated`;
}
