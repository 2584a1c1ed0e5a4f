import type { ServerResponse } from 'node:http';
import { DeliveryRelay, WebhookDelivery } from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const RELAY_INTERVAL_MS = 1_000;

/**
 * First attempts run together (a first-attempts job, or the emitting worker's own) have no job id
 * that would keep the relay's offer of the same attempt from running beside them: a request that
 * outlives the relay interval is leased, and an attempt that starts that late goes to a job of its own.
 */
describe.each(TEST_DATABASES)('first attempts the relay must not offer twice on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  const held: ServerResponse[] = [];
  const answerAll = () => held.splice(0).forEach((response) => response.writeHead(204).end());

  const start = async (localFirstAttempts: boolean, concurrency?: number) => {
    hooks = await createWebhooksApp({
      database,
      options: {
        delivery: { relayIntervalMs: RELAY_INTERVAL_MS, localFirstAttempts, concurrency },
      },
    });
  };
  const emit = async (listId: string) => {
    const { deliveryIds } = await hooks.webhooks.emit({
      listId,
      type: 'contact.subscribed',
      source: 'api',
      data: {},
    });
    return deliveryIds[0];
  };
  /**
   * Waits until the relay is kept off the delivery's first attempt, under way: its due time moved past
   * its request's timeout, or (on MariaDB, whose times have whole seconds, an attempt may count as late
   * when it starts) the attempt runs in a job of its own, named after it like the relay's offer.
   * Resolves to whether it has such a job.
   */
  const keptFromRelay = (deliveryId: string) =>
    eventually(
      async () => {
        if ((await hooks.queue.getJob(`${deliveryId}#1`)) !== null) return 'own job';
        const row = await hooks.dataSource
          .getRepository(WebhookDelivery)
          .findOneByOrFail({ id: deliveryId });
        return (row.nextAttemptAt?.getTime() ?? 0) > Date.now() + 5_000 ? 'leased' : undefined;
      },
      { what: 'the attempt leased, or in a job of its own' },
    );
  /** The relay's run a relay interval from now offers none of them, beside a job of its own. */
  const relayOffersNone = async (deliveryIds: string[]) => {
    const kept = await Promise.all(deliveryIds.map(keptFromRelay));
    const offered = await hooks.app
      .get(DeliveryRelay)
      .relay(new Date(Date.now() + RELAY_INTERVAL_MS));
    expect(offered).toBeLessThanOrEqual(kept.filter((how) => how === 'own job').length);
  };

  /** An origin has one request slot until it first answers: this one answers, on the same origin. */
  const warmUpOrigin = async (listId: string) => {
    const warm = await createSubscription(hooks, listId, {
      url: receiver.url(`/${listId}`),
      events: ['contact.subscribed'],
    });
    await deliveredOnce(listId, warm.id, [await emit(listId)]);
  };

  /** A first-attempts job ends after it handed its attempt on, so once both are gone none is left. */
  const jobsDone = (deliveryId: string) =>
    eventually(
      async () => {
        const jobIds = [`first:${deliveryId}`, `${deliveryId}#1`];
        const jobs = await Promise.all(jobIds.map((jobId) => hooks.queue.getJob(jobId)));
        return jobs.every((job) => job === null) || undefined;
      },
      { what: 'its jobs done' },
    );
  /** Each of the list's deliveries succeeded at its first attempt, and its receiver got it once. */
  const deliveredOnce = async (listId: string, subscriptionId: string, deliveryIds: string[]) => {
    const deliveries = await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, listId, subscriptionId);
        const done = data.every((delivery) => delivery.status === 'succeeded');
        return data.length === deliveryIds.length && done ? data : undefined;
      },
      { what: `the deliveries of ${listId} to succeed` },
    );
    expect(deliveries.map((delivery) => delivery.attemptCount)).toEqual(deliveryIds.map(() => 1));
    await Promise.all(deliveryIds.map(jobsDone));
    expect(receiver.uniqueIds(`/${listId}`)).toEqual({ unique: deliveryIds.length, duplicates: 0 });
  };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((request, response) => {
      if (request.path === '/late' || request.path.startsWith('/warm-'))
        response.writeHead(204).end();
      else held.push(response);
    });
  });
  afterEach(async () => {
    answerAll();
    await hooks.close();
  });
  afterAll(() => receiver.close());

  it('leases a first attempt whose request outlives the relay interval', async () => {
    await start(true);
    const subscription = await createSubscription(hooks, 'slow', {
      url: receiver.url('/slow'),
      events: ['contact.subscribed'],
    });
    const deliveryId = await emit('slow');
    await receiver.waitFor(1, { path: '/slow' });
    await relayOffersNone([deliveryId]);

    answerAll();
    await deliveredOnce('slow', subscription.id, [deliveryId]);
  });

  it('sends a first attempt that waited in Redis past the relay interval once, beside the relay’s offer', async () => {
    await start(false);
    const subscription = await createSubscription(hooks, 'late', {
      url: receiver.url('/late'),
      events: ['contact.subscribed'],
    });
    await hooks.queue.pause(true);
    const deliveryId = await emit('late');
    // The relay offers it while its first-attempts job still waits.
    await eventually(async () => (await hooks.queue.getJob(`${deliveryId}#1`)) !== null, {
      what: 'the relay’s offer',
      timeoutMs: 10_000,
    });
    await hooks.queue.resume(true);
    await deliveredOnce('late', subscription.id, [deliveryId]);
  });

  it('leases an attempt waiting for a request slot past the relay interval', async () => {
    await start(true, 1);
    await warmUpOrigin('warm-queued');
    const subscription = await createSubscription(hooks, 'queued', {
      url: receiver.url('/queued'),
      events: ['contact.subscribed'],
    });
    const first = await emit('queued');
    await receiver.waitFor(1, { path: '/queued' });
    // The worker's one request slot is taken: the second waits for it, loaded and checked already.
    const second = await emit('queued');
    await relayOffersNone([first, second]);

    answerAll();
    await receiver.waitFor(2, { path: '/queued' });
    answerAll();
    await deliveredOnce('queued', subscription.id, [first, second]);
  });

  it('leases an attempt paced by its rate limit whose request outlives the relay interval', async () => {
    await start(true);
    await warmUpOrigin('warm-paced');
    const subscription = await createSubscription(hooks, 'paced', {
      url: receiver.url('/paced'),
      events: ['contact.subscribed'],
      rateLimit: 1,
    });
    const first = await emit('paced');
    const second = await emit('paced');
    // The second waited for the next second in a job of its own (`…:paced`), then went.
    await receiver.waitFor(2, { path: '/paced' });
    await relayOffersNone([first, second]);

    answerAll();
    await deliveredOnce('paced', subscription.id, [first, second]);
  });
});
