/**
 * A worker-only process, as a host would run one: an application context (no HTTP server) with the
 * host's TypeORM and Bull roots and WebhooksModule delivering. Configured by the spawning test.
 */
import 'reflect-metadata';
import { requiredEnv } from './required-env';
import { WebhooksModule } from '../../src';
import { createWebhooksHostContext } from '../support/webhooks-host';

const env = requiredEnv;

async function main(): Promise<void> {
  const app = await createWebhooksHostContext({
    typeorm: {
      type: 'postgres',
      url: env('DATABASE_URL'),
      schema: env('PG_SCHEMA'),
      autoLoadEntities: true,
      extra: { application_name: env('WORKER_NAME') },
    },
    redisUrl: env('REDIS_URL'),
    bullPrefix: env('BULL_PREFIX'),
    webhooks: WebhooksModule.forRoot({
      worker: true,
      security: { allowPrivateNetworks: true },
      delivery: { concurrency: 50, requestTimeoutMs: 5_000, relayIntervalMs: 500 },
      // Short, but long enough to ride out a starved machine: about a minute of retries in all.
      retries: {
        schedule: [200, 400, 800, 1_600, 3_200, 6_400, 6_400, 6_400, 6_400, 6_400, 6_400, 6_400],
      },
      queue: { lockDurationMs: 10_000, stalledIntervalMs: 1_000 },
    }),
  });
  app.enableShutdownHooks();
  process.stdout.write('worker ready\n');
}

void main();
