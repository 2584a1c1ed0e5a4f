import request from 'supertest';
import type { App } from 'supertest/types';
import { EndpointThrottle } from '../libs/webhooks/src/delivery/endpoint-throttle';
import { eventually } from './support/eventually';
import { TestReceiver, type ReceivedRequest } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** The most arrivals within any `windowMs` (half-open). */
function busiestWindow(requests: readonly ReceivedRequest[], windowMs: number): number {
  const times = requests.map((received) => received.receivedAt).sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last] - times[first] >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const spanMs = (requests: readonly ReceivedRequest[]) => {
  const times = requests.map((received) => received.receivedAt);
  return Math.max(...times) - Math.min(...times);
};

/** Every delivery of the subscription succeeded at its first attempt, once all are recorded. */
async function allSucceededFirstTime(
  hooks: WebhooksTestApp,
  listId: string,
  subscriptionId: string,
  count: number,
): Promise<void> {
  const recorded = await eventually(
    async () => {
      const { data } = await listDeliveries(hooks, listId, subscriptionId, { limit: '100' });
      return data.length === count && data.every((delivery) => delivery.status !== 'pending')
        ? data
        : undefined;
    },
    { what: `${count} deliveries recorded` },
  );
  expect(recorded.map((delivery) => [delivery.status, delivery.attemptCount])).toEqual(
    Array.from({ length: count }, () => ['succeeded', 1]),
  );
}

const emitMany = (hooks: WebhooksTestApp, listId: string, count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, index) =>
      hooks.webhooks.emit({
        listId,
        type: 'contact.subscribed',
        source: 'api',
        data: { email: `c${index}@example.com` },
      }),
    ),
  );

/** Per-endpoint rate limits (issue 22): deliveries over the limit wait their turn, never fail. */
describe.each(TEST_DATABASES)('rate limits on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({ database });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('spaces an endpoint to its rate without a failed attempt, while an unlimited one goes at once', async () => {
    const paced = await createSubscription(hooks, 'paced', {
      url: receiver.url('/paced'),
      events: ['contact.subscribed'],
      rateLimit: 5,
    });
    expect(paced.rateLimit).toBe(5);
    await createSubscription(hooks, 'paced', {
      url: receiver.url('/free'),
      events: ['contact.subscribed'],
    });
    await emitMany(hooks, 'paced', 15);

    const free = await receiver.waitFor(15, { path: '/free' });
    const arrived = await receiver.waitFor(15, { path: '/paced', timeoutMs: 20_000 });
    // 5 per second, 200 ms apart: 14 gaps; a little slack for timers.
    expect(spanMs(arrived)).toBeGreaterThanOrEqual(14 * 200 * 0.9);
    expect(busiestWindow(arrived, 1_000)).toBeLessThanOrEqual(6);
    expect(Math.max(...free.map((received) => received.receivedAt))).toBeLessThan(
      Math.max(...arrived.map((received) => received.receivedAt)) - 1_000,
    );
    expect(receiver.uniqueIds('/paced')).toEqual({ unique: 15, duplicates: 0 });
    await allSucceededFirstTime(hooks, 'paced', paced.id, 15);
  });

  it('refuses a rate that is not a whole number from 1 to 1000 with a 400 naming rateLimit; null removes it', async () => {
    for (const rateLimit of [0, -1, 1.5, '10', 1_001, true]) {
      const response = await request(http)
        .post('/lists/bad-rates/webhooks')
        .send({ url: receiver.url('/never'), events: ['contact.subscribed'], rateLimit })
        .expect(400);
      expect(JSON.stringify(response.body.message)).toContain('rateLimit');
    }
    expect((await request(http).get('/lists/bad-rates/webhooks').expect(200)).body.data).toEqual(
      [],
    );
    const subscription = await createSubscription(hooks, 'bad-rates', {
      url: receiver.url('/unlimited'),
      events: ['contact.subscribed'],
      rateLimit: 1,
    });
    await request(http)
      .patch(`/lists/bad-rates/webhooks/${subscription.id}`)
      .send({ rateLimit: 0 })
      .expect(400);
    const removed = await request(http)
      .patch(`/lists/bad-rates/webhooks/${subscription.id}`)
      .send({ rateLimit: null })
      .expect(200);
    expect(removed.body.rateLimit).toBeNull();
    await emitMany(hooks, 'bad-rates', 5);
    // At one per second, five would take four seconds.
    const arrived = await receiver.waitFor(5, { path: '/unlimited' });
    expect(spanMs(arrived)).toBeLessThan(2_000);
  });
});

describe('rate limits across worker processes (PostgreSQL, real Redis)', () => {
  let first: WebhooksTestApp;
  let second: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    const options = { delivery: { relayIntervalMs: 500 } };
    first = await createWebhooksApp({ database: 'postgres', options });
    second = await createWebhooksApp({ database: 'postgres', options, sharingStoreWith: first });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await receiver.close();
  });

  it("hands out one endpoint's turns once, whichever process asks", async () => {
    const asks = Array.from({ length: 10 }, (_, index) =>
      (index % 2 === 0 ? first : second).app.get(EndpointThrottle).reserve('shared-endpoint', 10),
    );
    const waits = (await Promise.all(asks)).sort((a, b) => a - b);
    // Ten turns 100 ms apart, whoever took which: the first now, the last 900 ms later.
    expect(waits[0]).toBeLessThanOrEqual(5);
    waits.slice(1).forEach((wait, index) => {
      expect(wait - waits[index]).toBeGreaterThanOrEqual(95);
      expect(wait - waits[index]).toBeLessThanOrEqual(105);
    });
  });

  it('keeps the rate with two workers delivering, and the relay brings back a turn whose job was lost', async () => {
    const paced = await createSubscription(first, 'shared', {
      url: receiver.url('/shared'),
      events: ['contact.subscribed'],
      rateLimit: 4,
    });
    await emitMany(first, 'shared', 12);
    // Lose the waiting turns' jobs, as a Redis failover would: the database still says when each is due.
    const delayed = await eventually(
      async () => {
        const jobs = await first.queue.getDelayed();
        return jobs.length >= 8 ? jobs : undefined;
      },
      { what: 'turns waiting in the queue' },
    );
    await Promise.all(delayed.map((job) => job.remove()));

    const arrived = await receiver.waitFor(12, { path: '/shared', timeoutMs: 30_000 });
    expect(spanMs(arrived)).toBeGreaterThanOrEqual(11 * 250 * 0.9);
    expect(busiestWindow(arrived, 1_000)).toBeLessThanOrEqual(5);
    expect(receiver.uniqueIds('/shared')).toEqual({ unique: 12, duplicates: 0 });
    await allSucceededFirstTime(first, 'shared', paced.id, 12);
  });
});
