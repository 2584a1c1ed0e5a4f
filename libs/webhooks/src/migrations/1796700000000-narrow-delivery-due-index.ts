import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

const DUE_INDEX = 'IDX_webhook_deliveries_due';

/**
 * The due index holds only unfinished deliveries where the database has partial indexes
 * (PostgreSQL, SQLite): the relay and held-delivery lookups read nothing else, and a delivery that
 * succeeds or is exhausted adds no entry to it. MySQL keeps the whole index.
 */
export class NarrowWebhookDeliveryDueIndex1796700000000 implements MigrationInterface {
  name = 'NarrowWebhookDeliveryDueIndex1796700000000';

  up(queryRunner: QueryRunner): Promise<void> {
    return recreate(queryRunner, ` WHERE "status" IN ('pending', 'failed', 'held')`);
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return recreate(queryRunner, '');
  }
}

async function recreate(queryRunner: QueryRunner, where: string): Promise<void> {
  if (dialectOf(queryRunner) === 'mysql') return;
  const deliveries = qualify(queryRunner, 'webhook_deliveries');
  const index = deliveries.replace(/"webhook_deliveries"$/, `"${DUE_INDEX}"`);
  await queryRunner.query(`DROP INDEX ${index}`);
  await queryRunner.query(
    `CREATE INDEX "${DUE_INDEX}" ON ${deliveries} ("status", "nextAttemptAt")${where}`,
  );
}
