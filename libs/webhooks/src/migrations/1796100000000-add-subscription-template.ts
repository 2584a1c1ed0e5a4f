import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/** Subscriptions may send a chat tool's preset or a Liquid template instead of the envelope. */
export class AddWebhookSubscriptionTemplate1796100000000 implements MigrationInterface {
  name = 'AddWebhookSubscriptionTemplate1796100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const subscriptions = qualify(queryRunner, 'webhook_subscriptions');
    const column = dialectOf(queryRunner) === 'mysql' ? '`template` json NULL' : '"template" json';
    await queryRunner.query(`ALTER TABLE ${subscriptions} ADD ${column}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const subscriptions = qualify(queryRunner, 'webhook_subscriptions');
    const column = dialectOf(queryRunner) === 'mysql' ? '`template`' : '"template"';
    await queryRunner.query(`ALTER TABLE ${subscriptions} DROP COLUMN ${column}`);
  }
}
