import {
  InvalidWebhookEventError,
  UnknownEventSourceError,
  UnknownEventTypeError,
} from 'nestjs-marketing-webhooks';
import { WebhookDelivery, WebhookEvent } from './support/internals';
import { startPrivateRedis } from './support/processes';
import { deliveriesInQueue, deliveriesSettled } from './support/queue-jobs';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

describe.each(TEST_DATABASES)('the outbox on %s', (database) => {
  describe('ids, transactions and bad input', () => {
    let hooks: WebhooksTestApp;
    let receiver: TestReceiver;

    beforeAll(async () => {
      receiver = await TestReceiver.start();
      hooks = await createWebhooksApp({ database });
    });
    afterAll(async () => {
      await hooks.close();
      await receiver.close();
    });

    it('gives deliveries UUIDv7 ids that sort in the order their events were emitted', async () => {
      const listId = 'ids';
      for (const path of ['/ids-a', '/ids-b', '/ids-c']) {
        await createSubscription(hooks, listId, {
          url: receiver.url(path),
          events: ['contact.updated'],
        });
      }
      const emit = (n: number) =>
        hooks.webhooks.emit({
          listId,
          type: 'contact.updated',
          source: 'api',
          data: { n },
        });
      const first = await emit(1);
      const second = await emit(2);
      // Emitted together: most likely one batch, where ids follow the order of the events.
      const [third, fourth] = await Promise.all([emit(3), emit(4)]);
      const batches = [first, second, third, fourth].map((result) => result.deliveryIds);

      const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
      for (const ids of batches) {
        expect(ids).toHaveLength(3);
        for (const id of ids) expect(id).toMatch(uuidV7);
      }
      const sorted = (ids: string[]) => [...ids].sort();
      for (let i = 1; i < batches.length; i++) {
        expect(sorted(batches[i])[0] > sorted(batches[i - 1])[2]).toBe(true);
      }
      const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      for (const id of batches.flat()) expect(Math.abs(msOf(id) - Date.now())).toBeLessThan(60_000);
      for (const path of ['/ids-a', '/ids-b', '/ids-c']) await receiver.waitFor(4, { path });
    });

    it('writes nothing and sends nothing when the host transaction rolls back', async () => {
      await createSubscription(hooks, 'tx', {
        url: receiver.url('/tx'),
        events: ['contact.updated'],
      });
      const rolledBack: string[] = [];
      await expect(
        hooks.dataSource.transaction(async (manager) => {
          const { deliveryIds } = await hooks.webhooks.emit(
            { listId: 'tx', type: 'contact.updated', source: 'admin', data: { v: 'rolled back' } },
            { manager },
          );
          rolledBack.push(...deliveryIds);
          throw new Error('host failure after emit');
        }),
      ).rejects.toThrow('host failure after emit');

      const { eventId, deliveryIds } = await hooks.dataSource.transaction(async (manager) => {
        const result = await hooks.webhooks.emit(
          { listId: 'tx', type: 'contact.updated', source: 'admin', data: { v: 'committed' } },
          { manager },
        );
        // Handed to Bull only after the commit: no job for it yet.
        expect(result.deliveryIds).toHaveLength(1);
        const queued = await deliveriesInQueue(hooks.queue);
        expect(result.deliveryIds.filter((id) => queued.has(id))).toEqual([]);
        expect(receiver.received('/tx')).toHaveLength(0);
        return result;
      });

      const [delivered] = await receiver.waitFor(1, { path: '/tx' });
      expect(JSON.parse(delivered.body)).toMatchObject({ id: eventId, data: { v: 'committed' } });
      // The committed delivery is done, and the rolled-back one neither exists nor has a job.
      await deliveriesSettled(hooks, deliveryIds);
      expect(rolledBack).toHaveLength(1);
      expect(
        await hooks.dataSource.getRepository(WebhookDelivery).countBy({ id: rolledBack[0] }),
      ).toBe(0);
      const queued = await deliveriesInQueue(hooks.queue);
      expect(rolledBack.filter((id) => queued.has(id))).toEqual([]);
      expect(receiver.received('/tx')).toHaveLength(1);
      expect(await hooks.dataSource.getRepository(WebhookEvent).countBy({ listId: 'tx' })).toBe(1);
    });

    it.each([
      ['an unknown type', { type: 'contact.exploded' }, UnknownEventTypeError, /type/],
      ['an unknown source', { source: 'robot' }, UnknownEventSourceError, /source/],
      ['a missing list', { listId: undefined }, InvalidWebhookEventError, /listId/],
      ['an empty list id', { listId: '' }, InvalidWebhookEventError, /listId/],
      ['data that is not an object', { data: 'hello' }, InvalidWebhookEventError, /data/],
      ['data that is an array', { data: [1] }, InvalidWebhookEventError, /data/],
      [
        'data too large',
        { data: { blob: 'x'.repeat(300 * 1024) } },
        InvalidWebhookEventError,
        /data must not exceed/,
      ],
      [
        'a circular data object',
        { data: circular() },
        InvalidWebhookEventError,
        /JSON-serializable/,
      ],
      ['an invalid date', { occurredAt: new Date('nope') }, InvalidWebhookEventError, /occurredAt/],
    ])(
      'refuses %s with a typed error and writes nothing',
      async (_label, change, errorType, message) => {
        const events = hooks.dataSource.getRepository(WebhookEvent);
        const deliveries = hooks.dataSource.getRepository(WebhookDelivery);
        const [eventsBefore, deliveriesBefore] = [await events.count(), await deliveries.count()];
        const input = {
          listId: 'tx',
          type: 'contact.updated',
          source: 'admin',
          data: {},
          ...change,
        };
        const attempt = hooks.webhooks.emit(
          input as Parameters<WebhooksTestApp['webhooks']['emit']>[0],
        );
        await expect(attempt).rejects.toBeInstanceOf(errorType);
        await expect(attempt).rejects.toThrow(message);
        expect([await events.count(), await deliveries.count()]).toEqual([
          eventsBefore,
          deliveriesBefore,
        ]);
      },
    );
  });
});

function circular(): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  value.self = value;
  return value;
}

describe('concurrency on the single-connection SQLite driver', () => {
  it('accepts many concurrent emits and delivers each once', async () => {
    const receiver = await TestReceiver.start();
    const hooks = await createWebhooksApp({ database: 'sqlite' });
    try {
      await createSubscription(hooks, 'burst', {
        url: receiver.url('/burst'),
        events: ['contact.updated'],
      });
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, n) =>
          hooks.webhooks.emit({
            listId: 'burst',
            type: 'contact.updated',
            source: 'api',
            data: { n },
          }),
        ),
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      await receiver.waitFor(40, { path: '/burst' });
      expect(receiver.uniqueIds('/burst')).toEqual({ unique: 40, duplicates: 0 });
    } finally {
      await hooks.close();
      await receiver.close();
    }
  });
});

describe.each(TEST_DATABASES)('emits on %s while Redis is slow', (database) => {
  const PAUSE_MS = 2_000;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      redisUrl: redis.url,
      // Every delivery goes through Redis, as from a process that only emits.
      options: { delivery: { localFirstAttempts: false } },
    });
    await createSubscription(hooks, 'slow-redis', {
      url: receiver.url('/slow-redis'),
      events: ['contact.updated'],
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
    await redis.handle.kill();
  });

  const emit = (n: number) =>
    hooks.webhooks.emit({
      listId: 'slow-redis',
      type: 'contact.updated',
      source: 'api',
      data: { n },
    });
  // Every client of this private server waits, the queue's own included.
  const pauseRedis = () => hooks.queue.client.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');

  it('resolves emits once their events are stored, without waiting for Redis', async () => {
    await pauseRedis();
    const pausedAt = Date.now();
    const results = await Promise.all([emit(1), emit(2)]);
    expect(Date.now() - pausedAt).toBeLessThan(PAUSE_MS);
    expect(results.map((result) => result.deliveryIds)).toEqual([
      [expect.any(String)],
      [expect.any(String)],
    ]);
    const stored = await hooks.dataSource
      .getRepository(WebhookEvent)
      .countBy({ listId: 'slow-redis' });
    expect(stored).toBe(2);
    await receiver.waitFor(2, { path: '/slow-redis' });
    expect(receiver.uniqueIds('/slow-redis')).toEqual({ unique: 2, duplicates: 0 });
  });

  it('makes emits wait for Redis once 16 batches are waiting for it', async () => {
    const before = receiver.received('/slow-redis').length;
    await pauseRedis();
    const pausedAt = Date.now();
    // One at a time, so that each is a batch of its own (MAX_PENDING in OutboxHandOff is 16).
    for (let n = 0; n < 15; n++) await emit(100 + n);
    expect(Date.now() - pausedAt).toBeLessThan(PAUSE_MS / 2);
    await emit(115);
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(PAUSE_MS - 50);
    await receiver.waitFor(before + 16, { path: '/slow-redis' });
    expect(receiver.uniqueIds('/slow-redis')).toEqual({ unique: before + 16, duplicates: 0 });
  });
});
