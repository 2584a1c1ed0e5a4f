/**
 * A worker-only process with a host's inbound handler: each event it processes is reported, by its
 * id, to the test's receiver (EFFECTS_URL), so the test counts what was done and how often.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OnInboundWebhook, WebhooksModule, type InboundWebhookEvent } from '../../src';
import { createWebhooksHostContext } from '../support/webhooks-host';
import { requiredEnv } from './required-env';

const env = requiredEnv;

@Injectable()
class EffectHandler {
  @OnInboundWebhook({ provider: 'standard-webhooks' })
  async apply(event: InboundWebhookEvent): Promise<void> {
    const answer = await fetch(env('EFFECTS_URL'), {
      method: 'POST',
      headers: { 'webhook-id': event.id, 'content-type': 'text/plain' },
      body: event.providerEventId ?? '',
    });
    if (!answer.ok) throw new Error(`effect refused: ${answer.status}`);
  }
}

async function main(): Promise<void> {
  const app = await createWebhooksHostContext(
    {
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
        delivery: { relayIntervalMs: 500 },
        inbound: { concurrency: 20, processingTimeoutMs: 2_000, retrySchedule: [200, 400, 800] },
        queue: { lockDurationMs: 10_000, stalledIntervalMs: 1_000 },
      }),
    },
    { providers: [EffectHandler] },
  );
  app.enableShutdownHooks();
  process.stdout.write('inbound worker ready\n');
}

void main();
