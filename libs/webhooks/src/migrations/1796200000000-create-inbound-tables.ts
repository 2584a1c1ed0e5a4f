import type { MigrationInterface, QueryRunner } from 'typeorm';
import { columnTypes, dialectOf, qualify } from './migration-dialect';

/** Inbound endpoints and the events they received (the durable inbox). */
export class CreateInboundTables1796200000000 implements MigrationInterface {
  name = 'CreateInboundTables1796200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const dialect = dialectOf(queryRunner);
    if (dialect === 'mysql') return createOnMysql(queryRunner);
    const endpoints = qualify(queryRunner, 'webhook_inbound_endpoints');
    const events = qualify(queryRunner, 'webhook_inbound_events');
    const postgres = dialect === 'postgres';
    const { uuid, timestamp, now, text, literal, primaryKey, idColumn } = columnTypes(postgres);

    await queryRunner.query(
      `CREATE TABLE ${endpoints} (${idColumn}, "token" ${text(64)} NOT NULL, "tenantId" ${text(128)} NOT NULL, "listId" ${text(128)}, "name" ${text(200)}, "scheme" ${text(32)} NOT NULL, "secret" ${text(255)} NOT NULL, "previousSecret" ${text(255)}, "previousSecretExpiresAt" ${timestamp}, "settings" json, "createdAt" ${timestamp} NOT NULL DEFAULT ${now}, "updatedAt" ${timestamp} NOT NULL DEFAULT ${now}${primaryKey('PK_edb88ec1255b8badd7122b15eea')})`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_webhook_inbound_endpoints_token" ON ${endpoints} ("token")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_inbound_endpoints_tenant" ON ${endpoints} ("tenantId", "listId")`,
    );
    await queryRunner.query(
      `CREATE TABLE ${events} (${idColumn}, "endpointId" ${uuid} NOT NULL, "tenantId" ${text(128)} NOT NULL, "listId" ${text(128)}, "scheme" ${text(32)} NOT NULL, "dedupKey" ${text(255)} NOT NULL, "providerEventId" ${text(255)}, "type" ${text(200)}, "headers" json NOT NULL, "body" json NOT NULL, "status" ${text(16)} NOT NULL DEFAULT ${literal('received')}, "attempts" integer NOT NULL DEFAULT ${literal(0)}, "nextAttemptAt" ${timestamp}, "lastError" ${text(500)}, "receivedAt" ${timestamp} NOT NULL, "processedAt" ${timestamp}, CONSTRAINT "UQ_webhook_inbound_events_dedup" UNIQUE ("endpointId", "dedupKey")${primaryKey('PK_1a936d2b51cadab411b474b2e82')})`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_inbound_events_due" ON ${events} ("status", "nextAttemptAt")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_webhook_inbound_events_endpoint" ON ${events} ("endpointId", "id")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_inbound_events', 'webhook_inbound_endpoints']) {
      await queryRunner.query(`DROP TABLE ${qualify(queryRunner, table)}`);
    }
  }
}

/** MySQL and MariaDB: MariaDB's native `uuid` where the server has it, as the first migration. */
async function createOnMysql(queryRunner: QueryRunner): Promise<void> {
  const driver = queryRunner.connection.driver;
  const uuid = driver.normalizeType({ type: 'uuid' }) === 'uuid' ? 'uuid' : 'varchar(36)';
  const created = 'datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)';
  const updated = `${created} ON UPDATE CURRENT_TIMESTAMP(6)`;
  const statements = [
    `CREATE TABLE \`webhook_inbound_endpoints\` (\`id\` ${uuid} NOT NULL, \`token\` varchar(64) NOT NULL, \`tenantId\` varchar(128) NOT NULL, \`listId\` varchar(128) NULL, \`name\` varchar(200) NULL, \`scheme\` varchar(32) NOT NULL, \`secret\` varchar(255) NOT NULL, \`previousSecret\` varchar(255) NULL, \`previousSecretExpiresAt\` datetime NULL, \`settings\` json NULL, \`createdAt\` ${created}, \`updatedAt\` ${updated}, UNIQUE INDEX \`UQ_webhook_inbound_endpoints_token\` (\`token\`), INDEX \`IDX_webhook_inbound_endpoints_tenant\` (\`tenantId\`, \`listId\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
    `CREATE TABLE \`webhook_inbound_events\` (\`id\` ${uuid} NOT NULL, \`endpointId\` ${uuid} NOT NULL, \`tenantId\` varchar(128) NOT NULL, \`listId\` varchar(128) NULL, \`scheme\` varchar(32) NOT NULL, \`dedupKey\` varchar(255) NOT NULL, \`providerEventId\` varchar(255) NULL, \`type\` varchar(200) NULL, \`headers\` json NOT NULL, \`body\` json NOT NULL, \`status\` varchar(16) NOT NULL DEFAULT 'received', \`attempts\` int NOT NULL DEFAULT '0', \`nextAttemptAt\` datetime NULL, \`lastError\` varchar(500) NULL, \`receivedAt\` datetime NOT NULL, \`processedAt\` datetime NULL, INDEX \`IDX_webhook_inbound_events_due\` (\`status\`, \`nextAttemptAt\`), INDEX \`IDX_webhook_inbound_events_endpoint\` (\`endpointId\`, \`id\`), UNIQUE INDEX \`UQ_webhook_inbound_events_dedup\` (\`endpointId\`, \`dedupKey\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`,
  ];
  for (const statement of statements) await queryRunner.query(statement);
}
