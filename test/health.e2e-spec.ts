import { Registry } from 'prom-client';
import type { App } from 'supertest/types';
import { WEBHOOKS_DEFAULTS, WebhooksHealthService } from 'nestjs-marketing-webhooks';
import { createEndpoint, postInbound } from './support/inbound';
import { TestReceiver } from './support/receiver';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const STUCK_AFTER_MS = WEBHOOKS_DEFAULTS.health.stuckAfterMs;

/**
 * The health report's backlogs, read on a controllable clock: a process that is not a worker leaves
 * deliveries and inbound events due, and the report calls each backlog stuck once it is overdue by
 * more than `health.stuckAfterMs`.
 */
describe('health: delivery and inbound backlogs (PostgreSQL, real Redis)', () => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  const registry = new Registry();

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database: 'postgres',
      appOptions: { rawBody: true },
      options: { worker: false, metrics: { registry } },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('is healthy with nothing due, and reports each backlog stuck once it is overdue', async () => {
    const health = hooks.app.get(WebhooksHealthService);
    expect(await health.check()).toMatchObject({
      healthy: true,
      queue: { up: true, lagMs: null, stuck: false },
      inbound: { up: true, lagMs: null, stuck: false },
    });

    await createSubscription(hooks, 'news', {
      url: receiver.url('/never-sent'),
      events: ['contact.subscribed'],
    });
    await hooks.webhooks.emit({
      listId: 'news',
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'ada@example.com' },
    });
    const emittedAt = Date.now();
    const soon = await health.check(new Date(emittedAt + 1_000));
    expect(soon).toMatchObject({ healthy: true, queue: { up: true, stuck: false } });
    expect(soon.queue.lagMs).toBeGreaterThan(0);

    const later = new Date(emittedAt + STUCK_AFTER_MS + 60_000);
    expect(await health.check(later)).toMatchObject({
      healthy: false,
      queue: {
        up: false,
        stuck: true,
        error: expect.stringMatching(/^deliveries overdue by \d+ ms$/),
      },
      inbound: { up: true, stuck: false },
    });

    const endpoint = await createEndpoint(hooks, 'default', { scheme: 'token' });
    await postInbound(hooks.app.getHttpServer() as App, endpoint.path, '{"hello":"world"}', {
      'x-webhook-token': endpoint.secret,
    }).expect(200);
    expect(await health.check(later)).toMatchObject({
      healthy: false,
      inbound: {
        up: false,
        stuck: true,
        error: expect.stringMatching(/^inbound events overdue by \d+ ms$/),
      },
    });
  });

  it('counts the jobs waiting in both queues', async () => {
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/webhooks_queue_jobs\{state="waiting"\} [1-9]/);
    expect(metrics).toMatch(/webhooks_inbound_queue_jobs\{state="waiting"\} [1-9]/);
  });
});
