/**
 * S9: the embedded SQLite path. TypeORM's better-sqlite3 driver has ONE connection per DataSource,
 * and a SQLite file has one writer, so a second process could not share it safely: the host emits
 * and delivers in this single process (worker: true), as a small deployment or the demo does.
 */
import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bull';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import {
  WEBHOOKS_QUEUE,
  WebhookSubscriptionsService,
  WebhooksModule,
  WebhooksService,
  type WebhooksModuleOptions,
} from '../../src';
import { createWebhooksHostContext } from '../../test/support/webhooks-host';
import type { SqliteHostApi } from './child.apis';
import { childConfig, serveRpc, signalReady } from './ipc.rpc';
import { LoadDriver } from './load.driver';
import { benchEvent, deliveringApi } from './module-host';
import { BENCH_EVENT_TYPE, BENCH_TENANT } from './payload.util';
import { WorkerProbe } from './worker.instrumentation';

export interface SqliteHostConfig {
  sqlitePath: string;
  /** journal_mode=WAL (TypeORM's `enableWAL`); off = SQLite's default rollback journal, as the demo. */
  wal: boolean;
  redisUrl: string;
  bullPrefix: string;
  options: WebhooksModuleOptions;
}

const config = childConfig<SqliteHostConfig>();

async function main(): Promise<void> {
  const app = await createWebhooksHostContext({
    typeorm: {
      type: 'better-sqlite3',
      database: config.sqlitePath,
      enableWAL: config.wal,
      autoLoadEntities: true,
      synchronize: true,
    },
    redisUrl: config.redisUrl,
    bullPrefix: config.bullPrefix,
    webhooks: WebhooksModule.forRoot({ ...config.options, worker: true }),
  });
  const webhooks = app.get(WebhooksService);
  const subscriptions = app.get(WebhookSubscriptionsService);
  const probe = new WorkerProbe(
    app.get<Queue>(getQueueToken(WEBHOOKS_QUEUE)),
    app.get<DataSource>(getDataSourceToken()),
    false,
  );
  const driver = new LoadDriver(async (list, seq, emittedAtMs) => {
    await webhooks.emit(benchEvent(list.listId, seq, emittedAtMs));
  });
  const api: SqliteHostApi = {
    async createSubscriptions({ lists }) {
      for (const { listId, url } of lists) {
        await subscriptions.create(
          { tenantId: BENCH_TENANT, listId },
          { url, events: [BENCH_EVENT_TYPE] },
        );
      }
    },
    saturate: (params) => driver.saturate(params),
    openLoop: (params) => driver.openLoop(params),
    received: ({ count }) => driver.onReceived(count),
    ...deliveringApi(app, probe),
  };
  serveRpc(api);
  signalReady();
}

void main();
