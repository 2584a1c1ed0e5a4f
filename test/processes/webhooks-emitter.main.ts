/**
 * An API-only process (worker: false) that emits events in its own transactions as fast as it can,
 * printing how many committed; the test kills it mid-way.
 */
import 'reflect-metadata';
import { BullModule } from '@nestjs/bull';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { requiredEnv } from './required-env';
import { WebhooksModule, WebhooksService } from '../../src';

const env = requiredEnv;

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: env('DATABASE_URL'),
      schema: env('PG_SCHEMA'),
      autoLoadEntities: true,
    }),
    BullModule.forRoot({ url: env('REDIS_URL'), prefix: env('BULL_PREFIX') }),
    WebhooksModule.forRoot({ worker: false, security: { allowPrivateNetworks: true } }),
  ],
})
class EmitterModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(EmitterModule, { logger: ['error'] });
  const webhooks = app.get(WebhooksService);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const total = Number(env('EVENTS'));
  let next = 0;
  let committed = 0;
  process.stdout.write('emitter ready\n');
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (next < total) {
        const n = next++;
        await dataSource.transaction((manager) =>
          webhooks.emit(
            { listId: env('LIST_ID'), type: 'contact.updated', source: 'api', data: { n } },
            { manager },
          ),
        );
        committed++;
        if (committed % 100 === 0) process.stdout.write(`committed ${committed}\n`);
      }
    }),
  );
  process.stdout.write(`emitter done ${committed}\n`);
  await app.close();
}

void main();
