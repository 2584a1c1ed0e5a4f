import type { ServerResponse } from 'node:http';
import { DeliveryLoader } from '../libs/webhooks/src/delivery/delivery-loader';
import { eventually } from './support/eventually';
import { deliveriesSettled } from './support/queue-jobs';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * A process that both emits and delivers runs the first attempts of its own emits itself, without a
 * Bull job (issue 22's shorter path), up to its concurrency; the rest goes through Bull.
 */
describe.each(TEST_DATABASES)('first attempts run by the emitting worker on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  /** Every job ever added to the queue took a number from this counter (Bull's `id` key). */
  const jobsAdded = async () => Number(await hooks.queue.client.get(hooks.queue.toKey('id')));
  const emit = (listId: string, n: number) =>
    hooks.webhooks.emit({ listId, type: 'contact.subscribed', source: 'api', data: { n } });

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      // No relay: its runs add Bull's repeatable probe job, which would move the counter.
      options: { delivery: { concurrency: 2, relayIntervalMs: 0 } },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('sends them without a Bull job, and without loading their deliveries', async () => {
    await createSubscription(hooks, 'local', {
      url: receiver.url('/local'),
      events: ['contact.subscribed'],
    });
    const load = jest.spyOn(hooks.app.get(DeliveryLoader), 'load');
    const before = await jobsAdded();
    // One after the other, each recorded before the next emit: with concurrency 2, a third emit made
    // while two attempts are still under way would rightly go to Bull.
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) {
      const { deliveryIds } = await emit('local', n);
      ids.push(...deliveryIds);
      await deliveriesSettled(hooks, deliveryIds);
    }
    await receiver.waitFor(3, { path: '/local' });
    expect(await jobsAdded()).toBe(before);
    expect(receiver.uniqueIds('/local')).toEqual({ unique: 3, duplicates: 0 });
    // Their events came from the emit, in memory (MariaDB's are loaded: it keeps no fraction of a
    // second, see carried-first-attempts.e2e-spec.ts).
    const loaded = load.mock.calls.filter(([id]) => ids.includes(id));
    expect(loaded).toHaveLength(database === 'mariadb' ? 3 : 0);
    load.mockRestore();
  });

  it('hands what exceeds its concurrency to Bull, and each delivery is sent once', async () => {
    const held: ServerResponse[] = [];
    receiver.respondWith((request, response) => {
      if (request.path === '/busy') held.push(response);
      else response.writeHead(204).end();
    });
    const subscription = await createSubscription(hooks, 'busy', {
      url: receiver.url('/busy'),
      events: ['contact.subscribed'],
    });
    const before = await jobsAdded();
    await Promise.all(Array.from({ length: 10 }, (_, n) => emit('busy', n)));
    // The two it runs itself hold its two slots; the other eight wait in Bull.
    await receiver.waitFor(2, { path: '/busy' });
    expect(await jobsAdded()).toBeGreaterThan(before);
    const answerAll = () => held.splice(0).forEach((response) => response.writeHead(204).end());
    answerAll();
    await eventually(
      async () => {
        answerAll();
        return receiver.received('/busy').length >= 10 || undefined;
      },
      { what: 'all ten sent' },
    );
    answerAll();
    expect(receiver.uniqueIds('/busy')).toEqual({ unique: 10, duplicates: 0 });
    const recorded = await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, 'busy', subscription.id, { limit: '20' });
        return data.length === 10 && data.every((delivery) => delivery.status === 'succeeded')
          ? data
          : undefined;
      },
      { what: 'ten succeeded deliveries' },
    );
    expect(recorded.map((delivery) => delivery.attemptCount)).toEqual(Array(10).fill(1));
  });
});
