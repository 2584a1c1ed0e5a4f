/**
 * What the bench's module processes (emitter, worker, SQLite host) share: the host's database root
 * (PostgreSQL or MariaDB), the event they emit, and the RPC methods of a process that delivers.
 */
import type { INestApplicationContext } from '@nestjs/common';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { EmitWebhookEvent } from '../../src';
import type { WorkerApi } from './child.apis';
import { exitSoon } from './ipc.rpc';
import { BENCH_EVENT_TYPE, BENCH_TENANT, benchData } from './payload.util';
import type { WorkerProbe } from './worker.instrumentation';

export interface DatabaseChildConfig {
  /**
   * How to reach the store's isolated database (BenchServices.childDatabase): the TypeORM options of
   * test/support's isolatedDatabase, without synchronize (the store's setup host created the tables).
   */
  database: TypeOrmModuleOptions;
  poolSize: number;
  /** synchronous_commit=off for this process's sessions (PostgreSQL; MariaDB keeps its server's). */
  asyncCommit: boolean;
}

/** The host's TypeORM options on the bench's database, as a deployed host would configure them. */
export function databaseOptions(
  config: DatabaseChildConfig,
  applicationName: string,
): TypeOrmModuleOptions {
  const { database, poolSize, asyncCommit } = config;
  switch (database.type) {
    case 'postgres':
      return {
        ...database,
        extra: {
          max: poolSize,
          application_name: applicationName,
          ...(asyncCommit && { options: '-c synchronous_commit=off' }),
        },
      };
    case 'mariadb':
    case 'mysql':
      return { ...database, poolSize };
    default:
      throw new Error(
        `the bench's module processes run on PostgreSQL or MariaDB, not ${database.type}`,
      );
  }
}

/** The event every scenario emits: event `seq` to `listId`, stamped with its emit time. */
export function benchEvent(listId: string, seq: number, emittedAtMs: number): EmitWebhookEvent {
  return {
    tenantId: BENCH_TENANT,
    listId,
    type: BENCH_EVENT_TYPE,
    source: 'api',
    data: benchData(seq, emittedAtMs),
  };
}

/** The RPC methods of a process that delivers: its probe's figures, and a clean shutdown. */
export function deliveringApi(app: INestApplicationContext, probe: WorkerProbe): WorkerApi {
  return {
    instrumentation: () => probe.report(),
    resetInstrumentation: () => probe.reset(),
    async shutdown() {
      probe.stop();
      await app.close();
      exitSoon();
    },
  };
}
