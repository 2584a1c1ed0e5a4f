/**
 * A process that emits events in its own transactions as fast as it can, printing how many
 * committed; the test kills it mid-way. API-only (worker: false) unless DELIVERS=1: then it is a
 * worker too, which runs the first attempts of its own emits itself (`localFirstAttempts`).
 */
import 'reflect-metadata';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { requiredEnv } from './required-env';
import { WebhooksModule, WebhooksService } from '../../src';
import { createWebhooksHostContext } from '../support/webhooks-host';

const env = requiredEnv;

async function main(): Promise<void> {
  const app = await createWebhooksHostContext(
    {
      typeorm: {
        type: 'postgres',
        url: env('DATABASE_URL'),
        schema: env('PG_SCHEMA'),
        autoLoadEntities: true,
      },
      redisUrl: env('REDIS_URL'),
      bullPrefix: env('BULL_PREFIX'),
      webhooks: WebhooksModule.forRoot({
        worker: process.env.DELIVERS === '1',
        security: { allowPrivateNetworks: true },
        delivery: { concurrency: 50, requestTimeoutMs: 5_000, relayIntervalMs: 500 },
      }),
    },
    { logger: ['error'] },
  );
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
