import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/**
 * Subscriptions may filter events by their data: the filter as given, and the SQL/JSON path predicate
 * PostgreSQL's fan-out matches with (derived by the store; no subscription has a filter yet).
 */
export class AddWebhookSubscriptionFilter1796300000000 implements MigrationInterface {
  name = 'AddWebhookSubscriptionFilter1796300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const subscriptions = qualify(queryRunner, 'webhook_subscriptions');
    const columns =
      dialectOf(queryRunner) === 'mysql'
        ? ['`filter` json NULL', '`filterJsonPath` text NULL']
        : ['"filter" json', '"filterJsonPath" text'];
    for (const column of columns) {
      await queryRunner.query(`ALTER TABLE ${subscriptions} ADD ${column}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const subscriptions = qualify(queryRunner, 'webhook_subscriptions');
    const quote = dialectOf(queryRunner) === 'mysql' ? '`' : '"';
    for (const column of ['filterJsonPath', 'filter']) {
      await queryRunner.query(`ALTER TABLE ${subscriptions} DROP COLUMN ${quote}${column}${quote}`);
    }
  }
}
