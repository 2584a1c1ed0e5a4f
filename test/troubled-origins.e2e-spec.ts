import { createServer, type Server, type Socket } from 'node:net';
import { DeliveryLoader } from '../libs/webhooks/src/delivery/delivery-loader';
import { DeliveryProcessor } from '../libs/webhooks/src/delivery/delivery.processor';
import type { FirstAttemptsJobData } from '../libs/webhooks/src/delivery/delivery.queue';
import { eventually } from './support/eventually';
import { freePort } from './support/processes';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** A TCP server on `port` that accepts connections and never answers. */
async function hangOn(port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, sockets };
}

/**
 * Issue 22: a delivery to an origin known to be down costs less than a healthy one. First attempts
 * whose origin is down are parked without loading their event and subscription.
 */
describe.each(TEST_DATABASES)('deliveries to an origin that is down, on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let hanging: Awaited<ReturnType<typeof hangOn>> | undefined;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      // Retries far apart: what the test sees are first attempts. They go through Bull (this process
      // would otherwise run them itself), so the jobs' data is what tells their subscriptions.
      options: {
        delivery: { requestTimeoutMs: 20_000, localFirstAttempts: false },
        retries: { schedule: [60_000] },
      },
    });
  });
  afterAll(async () => {
    hanging?.sockets.forEach((socket) => socket.destroy());
    hanging?.server.close();
    await hooks.close();
    await receiver.close();
  });

  it('parks first attempts to it without loading or looking them up, while healthy ones go', async () => {
    const port = await freePort();
    const down = await createSubscription(hooks, 'down', {
      url: `http://127.0.0.1:${port}/hook`,
      events: ['contact.subscribed'],
    });
    await createSubscription(hooks, 'up', {
      url: receiver.url('/up'),
      events: ['contact.subscribed'],
    });
    const emit = (listId: string, n: number) =>
      hooks.webhooks.emit({ listId, type: 'contact.subscribed', source: 'api', data: { n } });

    // Nothing listens: the first attempt is refused, and the worker knows the origin is down.
    await emit('down', 0);
    await eventually(
      async () => {
        const { data } = await listDeliveries(hooks, 'down', down.id);
        return data[0]?.status === 'failed' || undefined;
      },
      { what: 'the refused attempt recorded' },
    );
    // Now it hangs instead: an attempt started there holds the origin's one slot.
    hanging = await hangOn(port);

    const loader = hooks.app.get(DeliveryLoader);
    const load = jest.spyOn(loader, 'load');
    const processed = jest.spyOn(hooks.app.get(DeliveryProcessor), 'process');
    const emitted = await Promise.all(
      Array.from({ length: 20 }, (_, n) => [emit('down', n + 1), emit('up', n + 1)]).flat(),
    );
    await receiver.waitFor(20, { path: '/up' });

    const downIds = new Set(
      emitted.filter((_, index) => index % 2 === 0).flatMap((r) => r.deliveryIds),
    );
    const loaded = load.mock.calls.map(([deliveryId]) => deliveryId);
    // The healthy ones went from what their emit carried, without a load (see
    // carried-first-attempts.e2e-spec.ts); on MariaDB, which does not keep events as written, each
    // was loaded (some twice: parked for more than a second, a row is loaded again).
    expect(new Set(loaded.filter((deliveryId) => !downIds.has(deliveryId))).size).toBe(
      database === 'mariadb' ? 20 : 0,
    );
    // At most the one that took the origin's slot (resumed at once) was loaded.
    expect(loaded.filter((deliveryId) => downIds.has(deliveryId)).length).toBeLessThanOrEqual(1);
    const { data } = await listDeliveries(hooks, 'down', down.id, { limit: '30' });
    expect(data.filter((delivery) => delivery.status === 'pending')).toHaveLength(20);
    // They came in first-attempts jobs that named their subscriptions: nothing else told the worker.
    const carried = new Map(
      processed.mock.calls
        .map(([data]) => data as Partial<FirstAttemptsJobData>)
        .flatMap(({ deliveryIds = [], subscriptionIds = [] }) =>
          deliveryIds.map((id, index) => [id, subscriptionIds[index]] as const),
        ),
    );
    expect([...downIds].map((id) => carried.get(id))).toEqual([...downIds].map(() => down.id));

    // A job queued by 0.1 carries ids only: its deliveries are loaded, as 0.1 did.
    load.mockClear();
    const legacy = [...downIds].slice(0, 5);
    await hooks.app.get(DeliveryProcessor).process({ deliveryIds: legacy }, `first:${legacy[0]}`);
    expect(load.mock.calls.map(([deliveryId]) => deliveryId).sort()).toEqual([...legacy].sort());
    load.mockRestore();
    processed.mockRestore();
  });
});
