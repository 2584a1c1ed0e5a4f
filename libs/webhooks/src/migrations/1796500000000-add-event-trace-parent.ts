import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/** Events keep the `traceparent` of their emit's span, which their attempts' spans link to. */
export class AddWebhookEventTraceParent1796500000000 implements MigrationInterface {
  name = 'AddWebhookEventTraceParent1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const events = qualify(queryRunner, 'webhook_events');
    const dialect = dialectOf(queryRunner);
    const column =
      dialect === 'mysql'
        ? '`traceParent` varchar(55) NULL'
        : `"traceParent" ${dialect === 'postgres' ? 'character varying(55)' : 'varchar(55)'}`;
    await queryRunner.query(`ALTER TABLE ${events} ADD ${column}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const events = qualify(queryRunner, 'webhook_events');
    const quote = dialectOf(queryRunner) === 'mysql' ? '`' : '"';
    await queryRunner.query(`ALTER TABLE ${events} DROP COLUMN ${quote}traceParent${quote}`);
  }
}
