import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf, qualify } from './migration-dialect';

/**
 * `secret` and `previousSecret` from 128 to 255 characters: an encrypted envelope
 * (`security.encryptionKeys`) is about 150. The data is kept: PostgreSQL and MySQL change the type
 * in place, SQLite copies the table (it cannot alter a column). Reverting fails on PostgreSQL and
 * MySQL while a value is longer than 128 characters, i.e. once secrets are encrypted.
 */
export class WidenSubscriptionSecrets1796000000000 implements MigrationInterface {
  name = 'WidenSubscriptionSecrets1796000000000';

  up(queryRunner: QueryRunner): Promise<void> {
    return widen(queryRunner, 255);
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return widen(queryRunner, 128);
  }
}

async function widen(queryRunner: QueryRunner, length: number): Promise<void> {
  const table = qualify(queryRunner, 'webhook_subscriptions');
  const dialect = dialectOf(queryRunner);
  if (dialect === 'postgres') {
    await queryRunner.query(
      `ALTER TABLE ${table} ALTER COLUMN "secret" TYPE character varying(${length}), ALTER COLUMN "previousSecret" TYPE character varying(${length})`,
    );
    return;
  }
  if (dialect === 'mysql') {
    await queryRunner.query(
      `ALTER TABLE ${table} MODIFY \`secret\` varchar(${length}) NOT NULL, MODIFY \`previousSecret\` varchar(${length}) NULL`,
    );
    return;
  }
  await copyOnSqlite(queryRunner, length);
}

const SQLITE_COLUMNS = [
  'id',
  'tenantId',
  'listId',
  'url',
  'name',
  'description',
  'events',
  'sources',
  'secret',
  'previousSecret',
  'previousSecretExpiresAt',
  'payloadFormat',
  'headers',
  'status',
  'disabledReason',
  'disabledAt',
  'consecutiveFailures',
  'failingSince',
  'lastSuccessAt',
  'lastTestSucceededAt',
  'lastProbedAt',
  'verificationChallenge',
  'createdAt',
  'updatedAt',
]
  .map((column) => `"${column}"`)
  .join(', ');

/** The table as TypeORM describes it on SQLite, with secrets of `length` characters. */
async function copyOnSqlite(queryRunner: QueryRunner, length: number): Promise<void> {
  await queryRunner.query(`DROP INDEX "IDX_webhook_subscriptions_scope"`);
  await queryRunner.query(
    `CREATE TABLE "temporary_webhook_subscriptions" ("id" varchar PRIMARY KEY NOT NULL, "tenantId" varchar(128) NOT NULL, "listId" varchar(128) NOT NULL, "url" varchar(2048) NOT NULL, "name" varchar(200), "description" varchar(1000), "events" json NOT NULL, "sources" json NOT NULL, "secret" varchar(${length}) NOT NULL, "previousSecret" varchar(${length}), "previousSecretExpiresAt" datetime, "payloadFormat" varchar(8) NOT NULL DEFAULT ('json'), "headers" json, "status" varchar(24) NOT NULL DEFAULT ('active'), "disabledReason" varchar(500), "disabledAt" datetime, "consecutiveFailures" integer NOT NULL DEFAULT (0), "failingSince" datetime, "lastSuccessAt" datetime, "lastTestSucceededAt" datetime, "lastProbedAt" datetime, "verificationChallenge" varchar(64), "createdAt" datetime NOT NULL DEFAULT (datetime('now')), "updatedAt" datetime NOT NULL DEFAULT (datetime('now')))`,
  );
  await queryRunner.query(
    `INSERT INTO "temporary_webhook_subscriptions"(${SQLITE_COLUMNS}) SELECT ${SQLITE_COLUMNS} FROM "webhook_subscriptions"`,
  );
  await queryRunner.query(`DROP TABLE "webhook_subscriptions"`);
  await queryRunner.query(
    `ALTER TABLE "temporary_webhook_subscriptions" RENAME TO "webhook_subscriptions"`,
  );
  await queryRunner.query(
    `CREATE INDEX "IDX_webhook_subscriptions_scope" ON "webhook_subscriptions" ("tenantId", "listId", "status")`,
  );
}
