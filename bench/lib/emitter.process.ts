/**
 * The host's API side, in its own process (worker: false): emits events with `WebhooksService.emit`
 * as a host would, without a transaction of its own (emit then opens one per event). Driven by the
 * bench: saturate, open loop, or one fan-out event.
 */
import 'reflect-metadata';
import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhooksModule, WebhooksService, type WebhooksModuleOptions } from '../../src';
import type { EmitterApi } from './child.apis';
import { wallClockMs } from './histogram.util';
import { childConfig, exitSoon, serveRpc, signalReady } from './ipc.rpc';
import { LoadDriver } from './load.driver';
import { BENCH_EVENT_TYPE, BENCH_TENANT, benchData } from './payload.util';

export interface EmitterConfig {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  bullPrefix: string;
  poolSize: number;
  /** synchronous_commit=off for this process's sessions. */
  asyncCommit: boolean;
  options: WebhooksModuleOptions;
}

const config = childConfig<EmitterConfig>();

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: config.databaseUrl,
      schema: config.schema,
      autoLoadEntities: true,
      extra: {
        max: config.poolSize,
        application_name: 'bench-emitter',
        ...(config.asyncCommit && { options: '-c synchronous_commit=off' }),
      },
    }),
    BullModule.forRoot({ url: config.redisUrl, prefix: config.bullPrefix }),
    WebhooksModule.forRoot({ ...config.options, worker: false }),
  ],
})
class BenchEmitterModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(BenchEmitterModule, {
    logger: ['error', 'warn'],
  });
  const webhooks = app.get(WebhooksService);
  const driver = new LoadDriver(async (list, seq, emittedAtMs) => {
    await webhooks.emit({
      tenantId: BENCH_TENANT,
      listId: list.listId,
      type: BENCH_EVENT_TYPE,
      source: 'api',
      data: benchData(seq, emittedAtMs),
    });
  });
  const api: EmitterApi = {
    saturate: (params) => driver.saturate(params),
    openLoop: (params) => driver.openLoop(params),
    received: ({ count }) => driver.onReceived(count),
    async fanOut({ listId, seq }) {
      const started = performance.now();
      const result = await webhooks.emit({
        tenantId: BENCH_TENANT,
        listId,
        type: BENCH_EVENT_TYPE,
        source: 'api',
        data: benchData(seq, wallClockMs()),
      });
      return { emitMs: performance.now() - started, deliveries: result.deliveryIds.length };
    },
    async shutdown() {
      await app.close();
      exitSoon();
    },
  };
  serveRpc(api);
  signalReady();
}

void main();
