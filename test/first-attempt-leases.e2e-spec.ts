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

  const start = async (localFirstAttempts: boolean) => {
    hooks = await createWebhooksApp({
      database,
      options: { delivery: { relayIntervalMs: RELAY_INTERVAL_MS, localFirstAttempts } },
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
  const succeededOnce = async (listId: string, subscriptionId: string) => {
    const [delivery] = await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, listId, subscriptionId);
        return data[0]?.status === 'succeeded' ? data : undefined;
      },
      { what: 'the delivery to succeed' },
    );
    expect(delivery.attemptCount).toBe(1);
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

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((request, response) => {
      if (request.path === '/slow') held.push(response);
      else response.writeHead(204).end();
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
    // Before the relay would offer it, its due time moves past its request's timeout. (On MariaDB,
    // whose times have whole seconds, an attempt may already count as late when it starts: it then
    // runs in a job of its own, named after the attempt like the relay's offer.)
    await eventually(
      async () => {
        const row = await hooks.dataSource
          .getRepository(WebhookDelivery)
          .findOneByOrFail({ id: deliveryId });
        if ((row.nextAttemptAt?.getTime() ?? 0) > Date.now() + 5_000) return true;
        return (await hooks.queue.getJob(`${deliveryId}#1`)) !== null || undefined;
      },
      { what: 'the long attempt leased, or in a job of its own' },
    );
    await hooks.app.get(DeliveryRelay).relay(new Date(Date.now() + RELAY_INTERVAL_MS));
    expect(receiver.received('/slow')).toHaveLength(1);

    answerAll();
    await succeededOnce('slow', subscription.id);
    await jobsDone(deliveryId);
    expect(receiver.uniqueIds('/slow')).toEqual({ unique: 1, duplicates: 0 });
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
    await succeededOnce('late', subscription.id);
    await jobsDone(deliveryId);
    expect(receiver.uniqueIds('/late')).toEqual({ unique: 1, duplicates: 0 });
  });
});
