import type { ServerResponse } from 'node:http';
import { DeliveryStore, WebhookDelivery } from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * The relay would offer a waiting delivery again only a lease (twice the request timeout) past its
 * predecessor's attempt: a minute here, far beyond the test's waits, so a delivery that goes sooner
 * was woken up by its predecessor.
 */
const OPTIONS = { delivery: { requestTimeoutMs: 30_000, relayIntervalMs: 1_000 } };

/** Notes in `asked` the ordering key of every turn the app's store looks up (the store still answers). */
function recordTurnLookups(hooks: WebhooksTestApp, asked: string[]): void {
  const store = hooks.app.get(DeliveryStore);
  const find = store.findOrderingTurns.bind(store);
  jest.spyOn(store, 'findOrderingTurns').mockImplementation((keys) => {
    asked.push(...keys.map((key) => key.orderingKey));
    return find(keys);
  });
}

/**
 * A keyed delivery learns whether it is its key's turn with its load, and looks the turn up only when
 * an earlier one was unfinished; one that becomes final asks whose turn is next only when a delivery of
 * its key waits (a mark in Redis), and one that waits is still woken up by it. A fresh first attempt
 * that goes without a load asks its turn instead, once (not on MariaDB, whose first attempts are loaded:
 * see carried-first-attempts.e2e-spec.ts).
 */
describe.each(TEST_DATABASES)('waking the next delivery of an ordering key on %s', (database) => {
  /** Turn lookups made instead of a load by each fresh keyed first attempt. */
  const instead = database === 'mariadb' ? 0 : 1;
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  const held: ServerResponse[] = [];
  /** The ordering keys whose turn was asked for, one entry per key asked. */
  const turnsAsked: string[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((request, response) => {
      if (request.path === '/held') held.push(response);
      else response.writeHead(204).end();
    });
    hooks = await createWebhooksApp({ database, options: OPTIONS });
    recordTurnLookups(hooks, turnsAsked);
  });
  afterAll(async () => {
    held.splice(0).forEach((response) => response.writeHead(204).end());
    await hooks.close();
    await receiver.close();
  });

  const emit = (listId: string, orderingKey: string, seq: number) =>
    hooks.webhooks.emit(
      { listId, type: 'contact.updated', source: 'api', data: { seq } },
      { orderingKey },
    );
  const asked = (key: string) => turnsAsked.filter((asked) => asked === key).length;
  const waitersMark = (subscriptionId: string, key: string) =>
    hooks.queue.client.exists(hooks.queue.toKey(`turn-waiters:${subscriptionId}:${key}`));

  it('makes no turn lookup when each is its key’s turn and none waits', async () => {
    const subscription = await createSubscription(hooks, 'alone', {
      url: receiver.url('/fast'),
      events: ['contact.updated'],
    });
    const keys = ['alone-1', 'alone-2', 'alone-3', 'alone-4'];
    for (const [index, key] of keys.entries()) await emit('alone', key, index);

    await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, 'alone', subscription.id);
        return data.length === 4 && data.every((row) => row.status === 'succeeded');
      },
      { what: 'the four deliveries to succeed' },
    );
    // Each learnt from its load (or its one lookup instead) that it was its key's turn, and none
    // looked for a successor once it succeeded.
    expect(keys.map(asked)).toEqual(keys.map(() => instead));
    for (const key of keys) expect(await waitersMark(subscription.id, key)).toBe(0);
  });

  it('wakes a delivery waiting behind an earlier one as soon as that one is final', async () => {
    const subscription = await createSubscription(hooks, 'queued', {
      url: receiver.url('/held'),
      events: ['contact.updated'],
    });
    await emit('queued', 'contact-q', 1);
    await receiver.waitFor(1, { path: '/held' });
    const second = await emit('queued', 'contact-q', 2);

    // The second waits: leased past the first's attempt, and its key marked as waited on.
    const deliveries = hooks.dataSource.getRepository(WebhookDelivery);
    await eventually(
      async () => {
        const row = await deliveries.findOneByOrFail({ id: second.deliveryIds[0] });
        return (row.nextAttemptAt?.getTime() ?? 0) > Date.now() + 30_000;
      },
      { what: 'the second delivery to be leased while it waits' },
    );
    expect(await waitersMark(subscription.id, 'contact-q')).toBe(1);
    expect(receiver.received('/held')).toHaveLength(1);

    held.splice(0).forEach((response) => response.writeHead(204).end());
    await receiver.waitFor(2, { path: '/held' });
    held.splice(0).forEach((response) => response.writeHead(204).end());
    const seqs = receiver
      .received('/held')
      .map((request) => (JSON.parse(request.body) as { data: { seq: number } }).data.seq);
    expect(seqs).toEqual([1, 2]);
    await eventually(
      async () => {
        const row = await deliveries.findOneByOrFail({ id: second.deliveryIds[0] });
        return row.status === 'succeeded';
      },
      { what: 'the second delivery to succeed' },
    );
    // The second, behind the first, looked up the turn before and after its mark (before: where
    // first attempts are loaded, the lookup made instead of its load otherwise); the first looked
    // for the next once it succeeded (someone waited). Woken up, the second was loaded as its key's
    // turn, and (its mark still there) looked for a next one once it succeeded. Plus the first's
    // lookup instead of its load.
    const lookups = 4 + instead;
    await eventually(() => asked('contact-q') === lookups, {
      what: `${lookups} lookups of the key`,
    });
    // And no more: the woken delivery's job, which made the last one, is done.
    await eventually(
      async () => {
        const { active, waiting } = await hooks.queue.getJobCounts();
        return active + waiting === 0;
      },
      { what: 'the queue to settle' },
    );
    expect(asked('contact-q')).toBe(lookups);
  });
});

/**
 * Without a relay in the process (`relayIntervalMs: 0`), nothing would offer a waiter again once its
 * mark expired: a final keyed delivery looks for the next one whether or not its key is marked.
 */
describe('waking the next delivery of an ordering key without a relay', () => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  const turnsAsked: string[] = [];

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: { delivery: { relayIntervalMs: 0 } },
    });
    recordTurnLookups(hooks, turnsAsked);
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('asks for the next one each time a keyed delivery is final', async () => {
    const subscription = await createSubscription(hooks, 'unrelayed', {
      url: receiver.url('/fast'),
      events: ['contact.updated'],
    });
    await hooks.webhooks.emit(
      { listId: 'unrelayed', type: 'contact.updated', source: 'api', data: {} },
      { orderingKey: 'unrelayed-1' },
    );
    await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, 'unrelayed', subscription.id);
        return data[0]?.status === 'succeeded';
      },
      { what: 'the delivery to succeed' },
    );
    // Once instead of its load (it was its key's turn), and once it succeeded.
    await eventually(() => turnsAsked.length === 2, { what: 'the lookup after it succeeded' });
    expect(turnsAsked).toEqual(['unrelayed-1', 'unrelayed-1']);
  });
});
