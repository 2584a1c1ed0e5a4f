import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/** Events name their subject (`emit({ subject })`), indexed for erasure. */
export class AddWebhookEventSubject1796040000000 implements MigrationInterface {
  name = 'AddWebhookEventSubject1796040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const events = qualify(queryRunner, 'webhook_events');
    const dialect = dialectOf(queryRunner);
    if (dialect === 'mysql') {
      await queryRunner.query(`ALTER TABLE ${events} ADD \`subject\` varchar(200) NULL`);
      await queryRunner.query(
        `CREATE INDEX \`IDX_webhook_events_subject\` ON ${events} (\`subject\`)`,
      );
      return;
    }
    const type = dialect === 'postgres' ? 'character varying(200)' : 'varchar(200)';
    await queryRunner.query(`ALTER TABLE ${events} ADD "subject" ${type}`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_events_subject" ON ${events} ("subject")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const events = qualify(queryRunner, 'webhook_events');
    const dialect = dialectOf(queryRunner);
    if (dialect === 'mysql') {
      await queryRunner.query(`DROP INDEX \`IDX_webhook_events_subject\` ON ${events}`);
      await queryRunner.query(`ALTER TABLE ${events} DROP COLUMN \`subject\``);
      return;
    }
    const index =
      dialect === 'postgres'
        ? events.replace(/"webhook_events"$/, '"IDX_webhook_events_subject"')
        : '"IDX_webhook_events_subject"';
    await queryRunner.query(`DROP INDEX ${index}`);
    await queryRunner.query(`ALTER TABLE ${events} DROP COLUMN "subject"`);
  }
}
