import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { WebhooksModuleOptions } from 'nestjs-marketing-webhooks';
import { WebhookDelivery, type DeliveryStatus } from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES, type TestDatabase } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const REQUEST_TIMEOUT_MS = 2_000;

/** An endpoint that accepts the connection and never answers. */
async function startHangingEndpoint(): Promise<{
  url: string;
  hits: () => number;
  /** Requests it holds open now, and the most it held at once. */
  openNow: () => number;
  mostOpen: () => number;
  close: () => Promise<void>;
}> {
  let hits = 0;
  let open = 0;
  let mostOpen = 0;
  const server: Server = createServer((request) => {
    hits++;
    mostOpen = Math.max(mostOpen, ++open);
    request.socket.once('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hang`,
    hits: () => hits,
    openNow: () => open,
    mostOpen: () => mostOpen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Emits `count` contact.updated events to the list, one after another. */
async function emitEvents(hooks: WebhooksTestApp, listId: string, count: number): Promise<void> {
  for (let n = 0; n < count; n++) {
    await hooks.webhooks.emit({ listId, type: 'contact.updated', source: 'api', data: { n } });
  }
}

type HangingEndpoint = Awaited<ReturnType<typeof startHangingEndpoint>>;

interface HangingRig {
  hooks: WebhooksTestApp;
  fast: TestReceiver;
  hanging: HangingEndpoint[];
}

/** For one describe block: the module on PostgreSQL, a fast receiver and three endpoints that hang. */
function useHangingRig(
  options: WebhooksModuleOptions,
  database: TestDatabase = 'postgres',
): HangingRig {
  const rig = { hanging: [] as HangingEndpoint[] } as HangingRig;
  beforeAll(async () => {
    rig.fast = await TestReceiver.start();
    for (let i = 0; i < 3; i++) rig.hanging.push(await startHangingEndpoint());
    rig.hooks = await createWebhooksApp({ database, options });
  });
  afterAll(async () => {
    await Promise.all(rig.hanging.map((endpoint) => endpoint.close()));
    await rig.hooks.close();
    await rig.fast.close();
  });
  return rig;
}

/** Subscribes every hanging endpoint to `hangingList` and the fast receiver's `fastPath` to `fastList`. */
async function subscribeRig(
  { hooks, fast, hanging }: HangingRig,
  hangingList: string,
  fastList: string,
  fastPath: string,
): Promise<void> {
  for (const endpoint of hanging) {
    await createSubscription(hooks, hangingList, {
      url: endpoint.url,
      events: ['contact.updated'],
    });
  }
  await createSubscription(hooks, fastList, {
    url: fast.url(fastPath),
    events: ['contact.updated'],
  });
}

describe('isolation: slow endpoints do not hold up healthy ones', () => {
  const rig = useHangingRig({
    delivery: { concurrency: 10, maxInFlightPerOrigin: 2, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    retries: { schedule: [60_000] },
  });

  it('delivers every event to the fast endpoint sooner than one timeout of the hanging ones', async () => {
    const { hooks, fast, hanging } = rig;
    await subscribeRig(rig, 'mixed', 'mixed', '/fast');

    const EVENTS = 30;
    const emittedAt = new Map<string, number>();
    for (let n = 0; n < EVENTS; n++) {
      const { eventId } = await hooks.webhooks.emit({
        listId: 'mixed',
        type: 'contact.updated',
        source: 'api',
        data: { n },
      });
      emittedAt.set(eventId, Date.now());
    }
    const received = await fast.waitFor(EVENTS, { path: '/fast', timeoutMs: 15_000 });
    const latencies = received.map(
      (r) => r.receivedAt - emittedAt.get((JSON.parse(r.body) as { id: string }).id)!,
    );
    const worst = Math.max(...latencies);
    console.log(
      `isolation: ${EVENTS} fast deliveries beside ${EVENTS * 3} hanging ones; worst latency ${worst} ms`,
    );
    expect(worst).toBeLessThan(REQUEST_TIMEOUT_MS);
    // Each hanging origin held at most its share of the worker, never all of it.
    expect(hanging.every((endpoint) => endpoint.hits() <= 2 * 2)).toBe(true);
  });
});

describe('endpoints that hang from their first request', () => {
  // Three hanging origins at five requests each would take more than the ten slots.
  const rig = useHangingRig({
    delivery: { concurrency: 10, maxInFlightPerOrigin: 5, requestTimeoutMs: REQUEST_TIMEOUT_MS },
    retries: { schedule: [60_000] },
  });

  it('hold one slot each until they have answered, so healthy deliveries do not wait a timeout', async () => {
    const { hooks, fast, hanging } = rig;
    await subscribeRig(rig, 'cold-hang', 'cold-fast', '/cold');

    await emitEvents(hooks, 'cold-hang', 10);
    await eventually(() => hanging.every((endpoint) => endpoint.hits() >= 1) || undefined, {
      timeoutMs: 5_000,
      what: 'a request at every hanging endpoint',
    });
    const startedAt = Date.now();
    await emitEvents(hooks, 'cold-fast', 10);
    await fast.waitFor(10, { path: '/cold', timeoutMs: 10_000 });
    expect(Date.now() - startedAt).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
    expect(hanging.map((endpoint) => endpoint.mostOpen())).toEqual([1, 1, 1]);
  });
});

describe('requests to origins that time out have a lane of their own', () => {
  // concurrency 5: the troubled lane has one slot.
  const rig = useHangingRig({
    delivery: { concurrency: 5, maxInFlightPerOrigin: 5, requestTimeoutMs: 800 },
    retries: { schedule: Array.from({ length: 20 }, () => 50) },
  });

  it('keeps every healthy slot while hanging origins retry, one request at a time', async () => {
    const { hooks, fast, hanging } = rig;
    await subscribeRig(rig, 'lane-hang', 'lane-fast', '/lane');
    let open = 0;
    let mostOpen = 0;
    let hangingOpenAtPeak = 0;
    fast.respondWith((_request, response) => {
      mostOpen = Math.max(mostOpen, ++open);
      if (open === 5) {
        hangingOpenAtPeak = hanging.reduce((sum, endpoint) => sum + endpoint.openNow(), 0);
      }
      setTimeout(() => {
        open--;
        response.writeHead(204).end();
      }, 300);
    });
    const emit = (listId: string, n: number) =>
      hooks.webhooks.emit({ listId, type: 'contact.updated', source: 'api', data: { n } });

    await emit('lane-hang', 0);
    // Each hanging origin times out once: from then on they are troubled and retry every 50 ms,
    // taking turns in their one-slot lane.
    await eventually(() => hanging.every((endpoint) => endpoint.hits() >= 1) || undefined, {
      timeoutMs: 10_000,
      what: 'a request at every hanging endpoint',
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    for (let n = 0; n < 10; n++) await emit('lane-fast', n);
    await fast.waitFor(10, { path: '/lane', timeoutMs: 10_000 });
    expect(mostOpen).toBe(5);
    expect(hangingOpenAtPeak).toBe(1);
    const openAtOnce = hanging.map((endpoint) => endpoint.mostOpen());
    // Before they were known to hang, each got one request; after, the lane allows one in all.
    expect(openAtOnce.every((most) => most === 1)).toBe(true);
  });
});

describe.each(TEST_DATABASES)(
  'attempts parked behind an origin that times out, on %s',
  (database) => {
    const rig = useHangingRig(
      {
        delivery: {
          concurrency: 5,
          maxInFlightPerOrigin: 1,
          requestTimeoutMs: 500,
          relayIntervalMs: 2_000,
        },
        retries: { schedule: [60_000] },
      },
      database,
    );

    it('are leased for a minute at a time, not renewed every few seconds', async () => {
      const { hooks, hanging } = rig;
      const subscription = await createSubscription(hooks, 'parked-hanging', {
        url: hanging[0].url,
        events: ['contact.updated'],
      });
      await emitEvents(hooks, 'parked-hanging', 10);
      // One attempt at a time hangs for 500 ms; the others wait parked, first on a short lease (the
      // origin was not known to hang yet), then, once it timed out, on a one-minute lease.
      const deliveries = hooks.dataSource.getRepository(WebhookDelivery);
      const leasedLong = await eventually(
        async () => {
          const waiting = await deliveries.findBy({ subscriptionId: subscription.id, attempts: 0 });
          const long = waiting.filter(
            (delivery) => (delivery.nextAttemptAt?.getTime() ?? 0) > Date.now() + 30_000,
          );
          return long.length >= 3 ? long : undefined;
        },
        { timeoutMs: 5_000, what: 'parked attempts on a one-minute lease' },
      );
      expect(leasedLong.every((delivery) => delivery.status === 'pending')).toBe(true);
      // They are still served from the worker, one at a time, well before their lease ends.
      await eventually(() => hanging[0].hits() >= 4 || undefined, {
        timeoutMs: 5_000,
        what: 'parked attempts sent one after another',
      });
    });
  },
);

describe('a burst to one busy origin waits in the worker, not in Redis', () => {
  let hooks: WebhooksTestApp;
  let slow: TestReceiver;

  beforeAll(async () => {
    slow = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: {
        delivery: { concurrency: 20, maxInFlightPerOrigin: 2 },
        retries: { schedule: [60_000] },
      },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await slow.close();
  });

  it('delivers every event once, two at a time, with no job handed back to the queue', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    slow.respondWith((_request, response) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      setTimeout(() => {
        inFlight--;
        response.writeHead(204).end();
      }, 10);
    });
    await createSubscription(hooks, 'burst', {
      url: slow.url('/burst'),
      events: ['contact.updated'],
    });
    let failedJobs = 0;
    hooks.queue.on('failed', () => failedJobs++);

    const EVENTS = 200;
    await Promise.all(
      Array.from({ length: EVENTS }, (_unused, n) =>
        hooks.webhooks.emit({
          listId: 'burst',
          type: 'contact.updated',
          source: 'api',
          data: { n },
        }),
      ),
    );
    await slow.waitFor(EVENTS, { path: '/burst', timeoutMs: 20_000 });
    expect(slow.uniqueIds('/burst')).toEqual({ unique: EVENTS, duplicates: 0 });
    expect(mostInFlight).toBeLessThanOrEqual(2);
    expect(failedJobs).toBe(0);
    // Recorded once answered: every delivery made exactly one attempt.
    const recorded = () =>
      hooks.dataSource.getRepository(WebhookDelivery).countBy({ attempts: 1, status: 'succeeded' });
    await eventually(async () => (await recorded()) === EVENTS || undefined, {
      timeoutMs: 10_000,
      what: 'every attempt recorded',
    });
    expect(await hooks.dataSource.getRepository(WebhookDelivery).count()).toBe(EVENTS);
  });

  it('reads a parked attempt again when it waited past a second: a pause meanwhile holds it', async () => {
    // The origin answers once first, so that it has its two slots (slow start) whatever ran before.
    slow.respondWith((_request, response) => response.writeHead(204).end());
    const warmUp = await createSubscription(hooks, 'warm-up', {
      url: slow.url('/warm-up'),
      events: ['contact.updated'],
    });
    await emitEvents(hooks, 'warm-up', 1);
    const deliveries = hooks.dataSource.getRepository(WebhookDelivery);
    const count = (subscriptionId: string, status: DeliveryStatus) =>
      deliveries.countBy({ subscriptionId, status });
    await eventually(async () => (await count(warmUp.id, 'succeeded')) === 1 || undefined, {
      what: 'the warm-up delivery recorded',
    });

    const answered: Array<() => void> = [];
    slow.respondWith((_request, response) => {
      answered.push(() => response.writeHead(204).end());
    });
    const subscription = await createSubscription(hooks, 'paused-while-parked', {
      url: slow.url('/parked'),
      events: ['contact.updated'],
    });
    await emitEvents(hooks, 'paused-while-parked', 5);
    // Two requests hang at the receiver (two slots); the other three are parked behind them.
    await eventually(() => answered.length === 2 || undefined, {
      timeoutMs: 10_000,
      what: 'two requests at the receiver',
    });
    await request(hooks.app.getHttpServer() as App)
      .patch(`/lists/paused-while-parked/webhooks/${subscription.id}`)
      .send({ status: 'paused' })
      .expect(200);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    for (const answer of answered.splice(0)) answer();

    // The parked attempts resume as soon as the two requests are answered, so they may be held
    // before those two are recorded: both counts are awaited.
    await eventually(
      async () =>
        ((await count(subscription.id, 'held')) === 3 &&
          (await count(subscription.id, 'succeeded')) === 2) ||
        undefined,
      { timeoutMs: 10_000, what: 'the three parked deliveries held, the other two succeeded' },
    );
    expect(slow.uniqueIds('/parked')).toEqual({ unique: 2, duplicates: 0 });
  });
});
