/**
 * What the bench's module processes (emitter, worker, SQLite host) share: the host's PostgreSQL
 * root, the event they emit, and the RPC methods of a process that delivers.
 */
import type { INestApplicationContext } from '@nestjs/common';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { EmitWebhookEvent } from '../../src';
import type { WorkerApi } from './child.apis';
import { exitSoon } from './ipc.rpc';
import { BENCH_EVENT_TYPE, BENCH_TENANT, benchData } from './payload.util';
import type { WorkerProbe } from './worker.instrumentation';

export interface PostgresChildConfig {
  databaseUrl: string;
  schema: string;
  poolSize: number;
  /** synchronous_commit=off for this process's sessions. */
  asyncCommit: boolean;
}

/** The host's TypeORM options on the bench's schema, as a deployed host would configure them. */
export function postgresOptions(
  config: PostgresChildConfig,
  applicationName: string,
): TypeOrmModuleOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    schema: config.schema,
    autoLoadEntities: true,
    extra: {
      max: config.poolSize,
      application_name: applicationName,
      ...(config.asyncCommit && { options: '-c synchronous_commit=off' }),
    },
  };
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
