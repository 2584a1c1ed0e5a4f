/**
 * A worker-only process, as a host would run one: an application context (no HTTP server) with the
 * host's TypeORM and Bull roots and WebhooksModule delivering. Configured by the spawning test.
 */
import 'reflect-metadata';
import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { requiredEnv } from './required-env';
import { WebhooksModule } from '../../src';

const env = requiredEnv;

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: env('DATABASE_URL'),
      schema: env('PG_SCHEMA'),
      autoLoadEntities: true,
      extra: { application_name: env('WORKER_NAME') },
    }),
    BullModule.forRoot({ url: env('REDIS_URL'), prefix: env('BULL_PREFIX') }),
    WebhooksModule.forRoot({
      worker: true,
      security: { allowPrivateNetworks: true },
      delivery: { concurrency: 50, requestTimeoutMs: 5_000, relayIntervalMs: 500 },
      // Short, but long enough to ride out a starved machine: about a minute of retries in all.
      retries: {
        schedule: [200, 400, 800, 1_600, 3_200, 6_400, 6_400, 6_400, 6_400, 6_400, 6_400, 6_400],
      },
      queue: { lockDurationMs: 10_000, stalledIntervalMs: 1_000 },
    }),
  ],
})
class WorkerModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  process.stdout.write('worker ready\n');
}

void main();
