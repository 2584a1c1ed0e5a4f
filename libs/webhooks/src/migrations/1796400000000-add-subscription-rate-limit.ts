import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/** Subscriptions may limit their deliveries per second. */
export class AddWebhookSubscriptionRateLimit1796400000000 implements MigrationInterface {
  name = 'AddWebhookSubscriptionRateLimit1796400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const subscriptions = qualify(queryRunner, 'webhook_subscriptions');
    const column =
      dialectOf(queryRunner) === 'mysql' ? '`rateLimit` int NULL' : '"rateLimit" integer';
    await queryRunner.query(`ALTER TABLE ${subscriptions} ADD ${column}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const subscriptions = qualify(queryRunner, 'webhook_subscriptions');
    const column = dialectOf(queryRunner) === 'mysql' ? '`rateLimit`' : '"rateLimit"';
    await queryRunner.query(`ALTER TABLE ${subscriptions} DROP COLUMN ${column}`);
  }
}
