import request from 'supertest';
import type { App } from 'supertest/types';
import { verifyWebhook } from 'nestjs-marketing-webhooks';
import { DeliveryLoader } from '../libs/webhooks/src/delivery/delivery-loader';
import { DeliveryProcessor } from '../libs/webhooks/src/delivery/delivery.processor';
import type { FirstAttemptsJobData } from '../libs/webhooks/src/delivery/delivery.queue';
import { SubscriptionStore } from '../libs/webhooks/src/storage/subscription.store';
import { eventually } from './support/eventually';
import { deliveriesSettled } from './support/queue-jobs';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import {
  createSubscription,
  listDeliveries,
  type CreatedSubscription,
} from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * Issue 22: a fresh first attempt goes from what its emit carried (its event, in the job) and a
 * snapshot of its subscription, without loading its delivery. What must still hold: the request is
 * the one a load would have made, a change to the subscription applies, and a job run again or late
 * sends nothing twice.
 */
describe.each(TEST_DATABASES)('first attempts sent without a load, on %s', (database) => {
  const keepsEvents = database !== 'mariadb';
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let subscription: CreatedSubscription;
  let load: jest.SpyInstance;
  let processed: jest.SpyInstance;

  const patch = (id: string, body: Record<string, unknown>) =>
    request(hooks.app.getHttpServer() as App)
      .patch(`/lists/carried/webhooks/${id}`)
      .send(body)
      .expect(200);
  const emit = (n: number) =>
    hooks.webhooks.emit({ listId: 'carried', type: 'contact.updated', source: 'api', data: { n } });
  const ids = (emitted: Array<{ deliveryIds: string[] }>) =>
    emitted.flatMap((result) => result.deliveryIds);
  const loadedIds = () => new Set(load.mock.calls.map(([deliveryId]) => deliveryId as string));
  /** The data of the first-attempts jobs the worker took. */
  const jobs = () =>
    processed.mock.calls
      .map(([data]) => data as Partial<FirstAttemptsJobData>)
      .filter((data) => Array.isArray(data.deliveryIds));

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      // Through Bull, so that the jobs' data is what the worker has: this process would otherwise
      // run the first attempts itself, from the same objects.
      options: { delivery: { localFirstAttempts: false }, retries: { schedule: [60_000] } },
    });
    subscription = await createSubscription(hooks, 'carried', {
      url: receiver.url('/first'),
      events: ['contact.updated'],
      headers: { 'x-tenant-plan': 'gold' },
    });
    load = jest.spyOn(hooks.app.get(DeliveryLoader), 'load');
    processed = jest.spyOn(hooks.app.get(DeliveryProcessor), 'process');
  });
  afterAll(async () => {
    load.mockRestore();
    processed.mockRestore();
    await hooks.close();
    await receiver.close();
  });

  it('sends them as a load would have, signed, without loading their deliveries', async () => {
    const reads = jest.spyOn(hooks.app.get(SubscriptionStore), 'findForAttempts');
    const emitted = await Promise.all(Array.from({ length: 30 }, (_, n) => emit(n)));
    const received = await receiver.waitFor(30, { path: '/first' });
    const settled = await deliveriesSettled(hooks, ids(emitted));

    expect(settled.map((delivery) => delivery.status)).toEqual(settled.map(() => 'succeeded'));
    const sent = ids(emitted);
    expect(sent).toHaveLength(30);
    const loaded = [...loadedIds()].filter((id) => sent.includes(id));
    if (keepsEvents) {
      expect(loaded).toEqual([]);
      // One snapshot of the subscription served them all, or a few when jobs overlapped.
      expect(reads.mock.calls.length).toBeGreaterThanOrEqual(1);
      expect(reads.mock.calls.length).toBeLessThanOrEqual(jobs().length);
    } else {
      // MariaDB keeps no fraction of a second: a redelivery, loaded, would not send the same body.
      expect(loaded.sort()).toEqual([...sent].sort());
      expect(jobs().every((data) => data.events === undefined)).toBe(true);
    }
    reads.mockRestore();
    for (const arrived of received) {
      const verified = verifyWebhook(subscription.secret, arrived.body, arrived.headers);
      expect(sent).toContain(verified.id);
      expect(arrived.headers['x-tenant-plan']).toBe('gold');
    }
    const bodies = received.map((arrived) => JSON.parse(arrived.body) as Record<string, unknown>);
    expect(bodies.map((body) => (body.data as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, n) => n),
    );
    expect(bodies[0]).toMatchObject({ type: 'contact.updated', source: 'api', listId: 'carried' });
  });

  it('sends keyed ones without a load too, each after the one before it of its key', async () => {
    const keyed = await createSubscription(hooks, 'keyed', {
      url: receiver.url('/keyed'),
      events: ['contact.updated'],
    });
    const held: Array<() => void> = [];
    receiver.respondWith((arrived, response) => {
      const answer = () => response.writeHead(204).end();
      if (arrived.path === '/keyed' && arrived.body.includes('"n":0')) held.push(answer);
      else answer();
    });
    const emitKeyed = (n: number) =>
      hooks.webhooks.emit(
        { listId: 'keyed', type: 'contact.updated', source: 'api', data: { n } },
        { orderingKey: 'contact-1' },
      );
    const first = await emitKeyed(0);
    await receiver.waitFor(1, { path: '/keyed' });
    // Its predecessor is in flight: this one waits for its turn.
    const second = await emitKeyed(1);
    await eventually(() => held.length === 1 || undefined, { what: 'the first one held' });
    const answeredAt = Date.now();
    held.splice(0).forEach((answer) => answer());
    const [, after] = await receiver.waitFor(2, { path: '/keyed' });
    receiver.respondWith((_arrived, response) => response.writeHead(204).end());

    expect(after.headers['webhook-id']).toBe(second.deliveryIds[0]);
    expect(after.receivedAt).toBeGreaterThanOrEqual(answeredAt);
    await deliveriesSettled(hooks, [...first.deliveryIds, ...second.deliveryIds]);
    // The first went from what its emit carried (the second was loaded when its turn came).
    expect(loadedIds().has(first.deliveryIds[0])).toBe(!keepsEvents);
    const { data } = await listDeliveries(hooks, 'keyed', keyed.id);
    expect(data.map((delivery) => delivery.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('applies a change made here to the very next one: a new URL, then a pause', async () => {
    await patch(subscription.id, { url: receiver.url('/moved') });
    const moved = await emit(100);
    const [arrived] = await receiver.waitFor(1, { path: '/moved' });
    expect(arrived.headers['webhook-id']).toBe(moved.deliveryIds[0]);

    await patch(subscription.id, { status: 'paused' });
    const paused = await emit(101);
    await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, 'carried', subscription.id);
        const held = data.find((delivery) => delivery.id === paused.deliveryIds[0]);
        return held?.status === 'held' || undefined;
      },
      { what: 'the delivery held' },
    );
    // Held by its attempt, which therefore sent nothing.
    expect(receiver.received('/moved')).toHaveLength(1);
    expect(receiver.received('/first')).toHaveLength(30);
    await patch(subscription.id, { status: 'active' });
    await receiver.waitFor(2, { path: '/moved' });
  });

  it('loads the deliveries of a job run again, or late, and sends none twice', async () => {
    const done = await emit(200);
    await deliveriesSettled(hooks, done.deliveryIds);
    const [job] = jobs().filter((data) => data.deliveryIds?.includes(done.deliveryIds[0]));
    if (keepsEvents) expect(job?.events?.[0]).toMatchObject({ dataJson: '{"n":200}' });
    const processor = hooks.app.get(DeliveryProcessor);

    const sentBefore = receiver.uniqueIds();
    load.mockClear();
    await processor.process(job, 'first:again', 1);
    expect([...loadedIds()]).toEqual(done.deliveryIds);

    load.mockClear();
    const late: FirstAttemptsJobData = {
      ...(job as FirstAttemptsJobData),
      dueAt: Date.now() - 60_000,
    };
    await processor.process(late, 'first:late', 0);
    expect([...loadedIds()]).toEqual(done.deliveryIds);
    // Both found it sent (succeeded): no request from either.
    expect(receiver.uniqueIds()).toEqual(sentBefore);
    expect(sentBefore.duplicates).toBe(0);
  });
});

/**
 * A change made by another process (an API host beside the worker) reaches the worker's snapshots
 * within a second: deliveries emitted after that go to the new URL.
 */
describe('first attempts sent without a load, beside a process that changes subscriptions', () => {
  let worker: WebhooksTestApp;
  let api: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    worker = await createWebhooksApp({
      database: 'postgres',
      options: { delivery: { localFirstAttempts: false } },
    });
    api = await createWebhooksApp({
      database: 'postgres',
      options: { worker: false },
      sharingStoreWith: worker,
    });
  });
  afterAll(async () => {
    await api.close();
    await worker.close();
    await receiver.close();
  });

  it('sends to a URL changed there once its snapshot is a second old', async () => {
    const subscription = await createSubscription(worker, 'shared', {
      url: receiver.url('/before'),
      events: ['contact.updated'],
    });
    const emittedAt = new Map<string, number>();
    const emit = async () => {
      const startedAt = Date.now();
      const { deliveryIds } = await worker.webhooks.emit({
        listId: 'shared',
        type: 'contact.updated',
        source: 'api',
        data: {},
      });
      for (const id of deliveryIds) emittedAt.set(id, startedAt);
    };
    await emit();
    await receiver.waitFor(1, { path: '/before' });

    await request(api.app.getHttpServer() as App)
      .patch(`/lists/shared/webhooks/${subscription.id}`)
      .send({ url: receiver.url('/after') })
      .expect(200);
    const changedAt = Date.now();
    // Emits every 50 ms until two seconds after the change, then every one is waited for.
    await eventually(async () => (await emit(), Date.now() > changedAt + 2_000) || undefined, {
      what: 'two seconds of emits',
    });
    const arrived = await receiver.waitFor(emittedAt.size);

    const late = arrived.filter(
      (request) => emittedAt.get(String(request.headers['webhook-id']))! > changedAt + 1_500,
    );
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((request) => request.path !== '/after')).toEqual([]);
    expect(receiver.uniqueIds()).toEqual({ unique: emittedAt.size, duplicates: 0 });
  });
});
