import { Logger, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { UnsupportedDatabaseError } from '../webhooks.errors';
import { AttemptStore } from './attempt.store';
import { DeliveryStore } from './delivery.store';
import { HistoryStore } from './history.store';
import { InboundEndpointStore } from './inbound-endpoint.store';
import { InboundEventStore } from './inbound-event.store';
import { mariaDbSortsUuidv7OutOfOrder } from './mysql/mariadb-uuid-order';
import { mysqlDialect } from './mysql/mysql.dialect';
import { OutboxStore } from './outbox.store';
import { PostgresAttemptStore } from './postgres/postgres-attempt.store';
import { PostgresOutboxStore } from './postgres/postgres-outbox.store';
import { postgresDialect } from './postgres/postgres.dialect';
import type { SqlDialect } from './sql-dialect';
import { sqliteDialect } from './sqlite/sqlite.dialect';
import { SQL_DIALECT } from './storage.tokens';
import { SubscriptionChanges } from './subscription-changes';
import { SubscriptionSecrets } from './subscription-secrets';
import { EndpointHealthStore, SubscriptionStore } from './subscription.store';
import { TypeOrmAttemptStore } from './typeorm/typeorm-attempt.store';
import { TypeOrmDeliveryStore } from './typeorm/typeorm-delivery.store';
import { TypeOrmHistoryStore } from './typeorm/typeorm-history.store';
import { TypeOrmInboundEndpointStore } from './typeorm/typeorm-inbound-endpoint.store';
import { TypeOrmInboundEventStore } from './typeorm/typeorm-inbound-event.store';
import { TypeOrmOutboxStore } from './typeorm/typeorm-outbox.store';
import {
  TypeOrmEndpointHealthStore,
  TypeOrmSubscriptionStore,
} from './typeorm/typeorm-subscription.store';
import { WebhooksTransactions } from './webhooks-transactions';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';

/** TypeORM's single-connection drivers of the SQLite family. */
const SQLITE_DRIVERS = new Set([
  'better-sqlite3',
  'sqlite',
  'sqljs',
  'capacitor',
  'react-native',
  'expo',
  'cordova',
  'nativescript',
]);

export function sqlDialectOf(dataSource: DataSource): SqlDialect {
  const type = dataSource.options.type;
  if (type === 'postgres') return postgresDialect(dataSource);
  if (type === 'mysql' || type === 'mariadb') {
    warnOfMariaDbUuidOrder(dataSource);
    return mysqlDialect(dataSource);
  }
  if (SQLITE_DRIVERS.has(type)) return sqliteDialect(dataSource);
  throw new UnsupportedDatabaseError(type);
}

function warnOfMariaDbUuidOrder(dataSource: DataSource): void {
  const { version } = dataSource.driver as { version?: string };
  if (dataSource.options.type !== 'mariadb' || !version || !mariaDbSortsUuidv7OutOfOrder(version))
    return;
  new Logger('Webhooks').warn(
    `MariaDB ${version} sorts UUIDv7 ids out of time order: ordering per key and the delivery log's order need 10.6, or 10.11.6 and later (docs/delivery.md, "Ordering per key")`,
  );
}

type StoreDependencies = [DataSource, SqlDialect, WebhooksTransactions];
const STORE_DEPENDENCIES = [getDataSourceToken(), SQL_DIALECT, WebhooksTransactions];

/**
 * The storage port and its implementation for the module's data source: the PostgreSQL stores write
 * the outbox and the attempts in one statement each; elsewhere they are multi-row statements in a
 * transaction. Everything else is shared, with the dialect's few differences.
 */
export const storageProviders: Provider[] = [
  {
    provide: SQL_DIALECT,
    useFactory: sqlDialectOf,
    inject: [getDataSourceToken()],
  },
  WebhooksTransactions,
  SubscriptionSecrets,
  SubscriptionChanges,
  {
    provide: OutboxStore,
    useFactory: (options: ResolvedWebhooksOptions, ...dependencies: StoreDependencies) =>
      dependencies[1].name === 'postgres'
        ? new PostgresOutboxStore(...dependencies, options.preparedStatements)
        : new TypeOrmOutboxStore(...dependencies),
    inject: [WEBHOOKS_OPTIONS, ...STORE_DEPENDENCIES],
  },
  {
    provide: AttemptStore,
    useFactory: (...dependencies: StoreDependencies) =>
      dependencies[1].name === 'postgres'
        ? new PostgresAttemptStore(...dependencies)
        : new TypeOrmAttemptStore(...dependencies),
    inject: STORE_DEPENDENCIES,
  },
  { provide: DeliveryStore, useClass: TypeOrmDeliveryStore },
  { provide: SubscriptionStore, useClass: TypeOrmSubscriptionStore },
  { provide: EndpointHealthStore, useClass: TypeOrmEndpointHealthStore },
  { provide: HistoryStore, useClass: TypeOrmHistoryStore },
  { provide: InboundEndpointStore, useClass: TypeOrmInboundEndpointStore },
  { provide: InboundEventStore, useClass: TypeOrmInboundEventStore },
];
