import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { ProducerApi, WorkerApi } from './child.apis';
import { exitSoon, serveRpc, signalReady } from './ipc.rpc';
import { LoadDriver, type EmitFn } from './load.driver';

/** What a baseline worker counts: jobs done, and failures by error name. */
export class JobCounts {
  completed = 0;
  failed: Record<string, number> = {};

  fail(name: string): void {
    this.failed[name] = (this.failed[name] ?? 0) + 1;
  }
}

async function start(module: Type): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(module, { logger: ['error', 'warn'] });
}

const shutdownOf = (app: INestApplicationContext) => async () => {
  await app.close();
  exitSoon();
};

/** Runs a baseline's producer process: its Nest module, emitting through `emitter(app)`. */
export async function serveBaselineProducer(
  module: Type,
  emitter: (app: INestApplicationContext) => EmitFn,
): Promise<void> {
  const app = await start(module);
  const driver = new LoadDriver(emitter(app));
  const api: ProducerApi = {
    saturate: (params) => driver.saturate(params),
    openLoop: (params) => driver.openLoop(params),
    received: ({ count }) => driver.onReceived(count),
    shutdown: shutdownOf(app),
  };
  serveRpc(api);
  signalReady();
}

/** Runs a baseline's worker process: its Nest module, reporting `counts`. */
export async function serveBaselineWorker(module: Type, counts: JobCounts): Promise<void> {
  const app = await start(module);
  const api: WorkerApi = {
    instrumentation: () => ({
      jobsCompleted: counts.completed,
      jobsFailed: { ...counts.failed },
      queries: [],
      pool: null,
    }),
    resetInstrumentation: () => {
      counts.completed = 0;
    },
    shutdown: shutdownOf(app),
  };
  serveRpc(api);
  signalReady();
}
