import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/**
 * Events and their deliveries keep the emit's ordering key; deliveries of one subscription and key
 * are looked up in id order by the index, which holds only unfinished keyed deliveries where the
 * database has partial indexes (PostgreSQL, SQLite).
 */
export class AddWebhookDeliveryOrderingKey1796600000000 implements MigrationInterface {
  name = 'AddWebhookDeliveryOrderingKey1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const events = qualify(queryRunner, 'webhook_events');
    const deliveries = qualify(queryRunner, 'webhook_deliveries');
    const dialect = dialectOf(queryRunner);
    const column =
      dialect === 'mysql'
        ? '`orderingKey` varchar(200) NULL'
        : `"orderingKey" ${dialect === 'postgres' ? 'character varying(200)' : 'varchar(200)'}`;
    await queryRunner.query(`ALTER TABLE ${events} ADD ${column}`);
    await queryRunner.query(`ALTER TABLE ${deliveries} ADD ${column}`);
    const q = dialect === 'mysql' ? '`' : '"';
    await queryRunner.query(
      `CREATE INDEX ${q}IDX_webhook_deliveries_ordering${q} ON ${deliveries} (${q}subscriptionId${q}, ${q}orderingKey${q}, ${q}id${q})${
        dialect === 'mysql'
          ? ''
          : ` WHERE "orderingKey" IS NOT NULL AND "status" IN ('pending', 'failed', 'held')`
      }`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const events = qualify(queryRunner, 'webhook_events');
    const deliveries = qualify(queryRunner, 'webhook_deliveries');
    const dialect = dialectOf(queryRunner);
    const q = dialect === 'mysql' ? '`' : '"';
    await queryRunner.query(
      dialect === 'mysql'
        ? `DROP INDEX ${q}IDX_webhook_deliveries_ordering${q} ON ${deliveries}`
        : `DROP INDEX ${deliveries.replace(/"webhook_deliveries"$/, '"IDX_webhook_deliveries_ordering"')}`,
    );
    await queryRunner.query(`ALTER TABLE ${deliveries} DROP COLUMN ${q}orderingKey${q}`);
    await queryRunner.query(`ALTER TABLE ${events} DROP COLUMN ${q}orderingKey${q}`);
  }
}
