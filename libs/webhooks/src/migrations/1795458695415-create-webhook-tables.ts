import type { MigrationInterface, QueryRunner } from 'typeorm';
import { columnTypes, dialectOf, qualify } from './migration-dialect';

export class CreateWebhookTables1795458695415 implements MigrationInterface {
  name = 'CreateWebhookTables1795458695415';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (dialectOf(queryRunner) === 'mysql') return createOnMysql(queryRunner);
    const t = (table: string) => qualify(queryRunner, table);
    const postgres = dialectOf(queryRunner) === 'postgres';
    const { uuid, timestamp, now, text, literal, primaryKey, idColumn } = columnTypes(postgres);

    await queryRunner.query(
      `CREATE TABLE ${t('webhook_subscriptions')} (${idColumn}, "tenantId" ${text(128)} NOT NULL, "listId" ${text(128)} NOT NULL, "url" ${text(2048)} NOT NULL, "name" ${text(200)}, "description" ${text(1000)}, "events" json NOT NULL, "sources" json NOT NULL, "secret" ${text(128)} NOT NULL, "previousSecret" ${text(128)}, "previousSecretExpiresAt" ${timestamp}, "payloadFormat" ${text(8)} NOT NULL DEFAULT ${literal('json')}, "headers" json, "status" ${text(24)} NOT NULL DEFAULT ${literal('active')}, "disabledReason" ${text(500)}, "disabledAt" ${timestamp}, "consecutiveFailures" integer NOT NULL DEFAULT ${literal(0)}, "failingSince" ${timestamp}, "lastSuccessAt" ${timestamp}, "lastTestSucceededAt" ${timestamp}, "lastProbedAt" ${timestamp}, "verificationChallenge" ${text(64)}, "createdAt" ${timestamp} NOT NULL DEFAULT ${now}, "updatedAt" ${timestamp} NOT NULL DEFAULT ${now}${primaryKey('PK_bf631ae77d39849d599817fb6f4')})`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_subscriptions_scope" ON ${t('webhook_subscriptions')} ("tenantId", "listId", "status")`,
    );
    await queryRunner.query(
      `CREATE TABLE ${t('webhook_events')} (${idColumn}, "tenantId" ${text(128)} NOT NULL, "listId" ${text(128)} NOT NULL, "type" ${text(100)} NOT NULL, "source" ${text(16)} NOT NULL, "data" json NOT NULL, "occurredAt" ${timestamp} NOT NULL${primaryKey('PK_4cba37e6a0acb5e1fc49c34ebfd')})`,
    );
    await queryRunner.query(
      `CREATE TABLE ${t('webhook_deliveries')} (${idColumn}, "eventId" ${uuid} NOT NULL, "subscriptionId" ${uuid} NOT NULL, "tenantId" ${text(128)} NOT NULL, "status" ${text(16)} NOT NULL DEFAULT ${literal('pending')}, "attempts" integer NOT NULL DEFAULT ${literal(0)}, "nextAttemptAt" ${timestamp}, "lastAttemptAt" ${timestamp}, "lastStatusCode" integer, "createdAt" ${timestamp} NOT NULL DEFAULT ${now}, "updatedAt" ${timestamp} NOT NULL DEFAULT ${now}, CONSTRAINT "UQ_webhook_deliveries_event_subscription" UNIQUE ("eventId", "subscriptionId")${primaryKey('PK_535dd409947fb6d8fc6dfc0112a')})`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_deliveries_due" ON ${t('webhook_deliveries')} ("status", "nextAttemptAt")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_deliveries_subscription" ON ${t('webhook_deliveries')} ("subscriptionId", "id")`,
    );
    await queryRunner.query(
      `CREATE TABLE ${t('webhook_attempts')} (${idColumn}, "deliveryId" ${uuid} NOT NULL, "attemptNumber" integer NOT NULL, "trigger" ${text(16)} NOT NULL DEFAULT ${literal('scheduled')}, "statusCode" integer, "durationMs" integer NOT NULL, "errorKind" ${text(32)}, "errorMessage" ${text(500)}, "responseExcerpt" text, "createdAt" ${timestamp} NOT NULL${primaryKey('PK_2de7e7887ad97de459adab62638')})`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_attempts_delivery" ON ${t('webhook_attempts')} ("deliveryId", "attemptNumber")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'webhook_attempts',
      'webhook_deliveries',
      'webhook_events',
      'webhook_subscriptions',
    ]) {
      await queryRunner.query(`DROP TABLE ${qualify(queryRunner, table)}`);
    }
  }
}

/**
 * MySQL and MariaDB. UUIDs are MariaDB's native `uuid` type where the server has it (10.7+), as
 * TypeORM's entities expect there, and `varchar(36)` elsewhere.
 */
async function createOnMysql(queryRunner: QueryRunner): Promise<void> {
  const driver = queryRunner.connection.driver;
  const uuid = driver.normalizeType({ type: 'uuid' }) === 'uuid' ? 'uuid' : 'varchar(36)';
  const created = 'datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)';
  const updated = `${created} ON UPDATE CURRENT_TIMESTAMP(6)`;
  const statements = [
    `CREATE TABLE \`webhook_subscriptions\` (\`id\` ${uuid} NOT NULL, \`tenantId\` varchar(128) NOT NULL, \`listId\` varchar(128) NOT NULL, \`url\` varchar(2048) NOT NULL, \`name\` varchar(200) NULL, \`description\` varchar(1000) NULL, \`events\` json NOT NULL, \`sources\` json NOT NULL, \`secret\` varchar(128) NOT NULL, \`previousSecret\` varchar(128) NULL, \`previousSecretExpiresAt\` datetime NULL, \`payloadFormat\` varchar(8) NOT NULL DEFAULT 'json', \`headers\` json NULL, \`status\` varchar(24) NOT NULL DEFAULT 'active', \`disabledReason\` varchar(500) NULL, \`disabledAt\` datetime NULL, \`consecutiveFailures\` int NOT NULL DEFAULT '0', \`failingSince\` datetime NULL, \`lastSuccessAt\` datetime NULL, \`lastTestSucceededAt\` datetime NULL, \`lastProbedAt\` datetime NULL, \`verificationChallenge\` varchar(64) NULL, \`createdAt\` ${created}, \`updatedAt\` ${updated}, INDEX \`IDX_webhook_subscriptions_scope\` (\`tenantId\`, \`listId\`, \`status\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    `CREATE TABLE \`webhook_events\` (\`id\` ${uuid} NOT NULL, \`tenantId\` varchar(128) NOT NULL, \`listId\` varchar(128) NOT NULL, \`type\` varchar(100) NOT NULL, \`source\` varchar(16) NOT NULL, \`data\` json NOT NULL, \`occurredAt\` datetime NOT NULL, PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    `CREATE TABLE \`webhook_deliveries\` (\`id\` ${uuid} NOT NULL, \`eventId\` ${uuid} NOT NULL, \`subscriptionId\` ${uuid} NOT NULL, \`tenantId\` varchar(128) NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'pending', \`attempts\` int NOT NULL DEFAULT '0', \`nextAttemptAt\` datetime NULL, \`lastAttemptAt\` datetime NULL, \`lastStatusCode\` int NULL, \`createdAt\` ${created}, \`updatedAt\` ${updated}, INDEX \`IDX_webhook_deliveries_due\` (\`status\`, \`nextAttemptAt\`), INDEX \`IDX_webhook_deliveries_subscription\` (\`subscriptionId\`, \`id\`), UNIQUE INDEX \`UQ_webhook_deliveries_event_subscription\` (\`eventId\`, \`subscriptionId\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    `CREATE TABLE \`webhook_attempts\` (\`id\` ${uuid} NOT NULL, \`deliveryId\` ${uuid} NOT NULL, \`attemptNumber\` int NOT NULL, \`trigger\` varchar(16) NOT NULL DEFAULT 'scheduled', \`statusCode\` int NULL, \`durationMs\` int NOT NULL, \`errorKind\` varchar(32) NULL, \`errorMessage\` varchar(500) NULL, \`responseExcerpt\` text NULL, \`createdAt\` datetime NOT NULL, INDEX \`IDX_webhook_attempts_delivery\` (\`deliveryId\`, \`attemptNumber\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
  ];
  for (const statement of statements) await queryRunner.query(statement);
}
