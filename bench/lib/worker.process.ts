/**
 * A worker-only process of the module, as a host runs one (see test/processes/webhooks-worker.main.ts):
 * an application context with the host's TypeORM (PostgreSQL or MariaDB) and Bull roots and
 * WebhooksModule delivering. Configured by the bench through BENCH_CHILD_CONFIG.
 */
import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bull';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import {
  WEBHOOKS_QUEUE,
  WebhooksModule,
  type WebhooksModuleOptions,
  type WebhooksQueueSettings,
} from '../../src';
import { createWebhooksHostContext } from '../../test/support/webhooks-host';
import type { ModuleWorkerApi } from './child.apis';
import { hopSpansApi, registerHopTracing } from './hop-spans.recorder';
import { childConfig, serveRpc, signalReady } from './ipc.rpc';
import { deliveringApi, databaseOptions, type DatabaseChildConfig } from './module-host';
import { WorkerProbe } from './worker.instrumentation';

export interface WorkerConfig extends DatabaseChildConfig {
  name: string;
  redisUrl: string;
  bullPrefix: string;
  options: WebhooksModuleOptions;
  queue: WebhooksQueueSettings;
  /** Count and time every SQL statement (profile runs). */
  detailed: boolean;
  /** Trace with an OpenTelemetry SDK keeping what H joins (see hop-spans.recorder.ts). */
  hopTracing?: boolean;
}

const config = childConfig<WorkerConfig>();

async function main(): Promise<void> {
  const hopSpans = config.hopTracing ? registerHopTracing() : undefined;
  const app = await createWebhooksHostContext({
    typeorm: databaseOptions(config, config.name),
    redisUrl: config.redisUrl,
    bullPrefix: config.bullPrefix,
    webhooks: WebhooksModule.forRoot({ ...config.options, worker: true, queue: config.queue }),
  });
  const probe = new WorkerProbe(
    app.get<Queue>(getQueueToken(WEBHOOKS_QUEUE)),
    app.get<DataSource>(getDataSourceToken()),
    config.detailed,
  );
  const api: ModuleWorkerApi = { ...deliveringApi(app, probe), ...hopSpansApi(hopSpans) };
  serveRpc(api);
  signalReady();
}

void main();
