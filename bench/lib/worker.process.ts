/**
 * A worker-only process of the module, as a host runs one (see test/processes/webhooks-worker.main.ts):
 * an application context with the host's TypeORM (PostgreSQL) and Bull roots and WebhooksModule
 * delivering. Configured by the bench through BENCH_CHILD_CONFIG.
 */
import 'reflect-metadata';
import { BullModule, getQueueToken } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import {
  WEBHOOKS_QUEUE,
  WebhooksModule,
  type WebhooksModuleOptions,
  type WebhooksQueueSettings,
} from '../../src';
import type { WorkerApi } from './child.apis';
import { childConfig, exitSoon, serveRpc, signalReady } from './ipc.rpc';
import { WorkerProbe } from './worker.instrumentation';

export interface WorkerConfig {
  name: string;
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  bullPrefix: string;
  poolSize: number;
  /** synchronous_commit=off for this process's sessions. */
  asyncCommit: boolean;
  options: WebhooksModuleOptions;
  queue: WebhooksQueueSettings;
  /** Count and time every SQL statement (profile runs). */
  detailed: boolean;
}

const config = childConfig<WorkerConfig>();

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: config.databaseUrl,
      schema: config.schema,
      autoLoadEntities: true,
      extra: {
        max: config.poolSize,
        application_name: config.name,
        ...(config.asyncCommit && { options: '-c synchronous_commit=off' }),
      },
    }),
    BullModule.forRoot({ url: config.redisUrl, prefix: config.bullPrefix }),
    WebhooksModule.forRoot({ ...config.options, worker: true, queue: config.queue }),
  ],
})
class BenchWorkerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(BenchWorkerModule, {
    logger: ['error', 'warn'],
  });
  const probe = new WorkerProbe(
    app.get<Queue>(getQueueToken(WEBHOOKS_QUEUE)),
    app.get<DataSource>(getDataSourceToken()),
    config.detailed,
  );
  const api: WorkerApi = {
    instrumentation: () => probe.report(),
    resetInstrumentation: () => probe.reset(),
    async shutdown() {
      probe.stop();
      await app.close();
      exitSoon();
    },
  };
  serveRpc(api);
  signalReady();
}

void main();
