import type { ServerResponse } from 'node:http';
import request from 'supertest';
import type { App } from 'supertest/types';
import { InvalidWebhookEventError } from 'nestjs-marketing-webhooks';
import { EndpointThrottle, WebhookDelivery, WebhookEvent } from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver, type ReceivedRequest } from './support/receiver';
import { ChildHandle } from './support/processes';
import { DATABASE_URL, REDIS_URL, TEST_DATABASES, type TestDatabase } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** Enough retries that a receiver failing 30% of requests at random never exhausts one (0.3⁹). */
const ORDERING_OPTIONS = {
  retries: { schedule: [30, 30, 30, 30, 30, 30, 30, 30], jitter: 0 },
  delivery: { relayIntervalMs: 1_000 },
};

interface Body {
  data: { key?: string; seq: number };
}

/**
 * A receiver that fails requests at random (or as told) and records, per path and ordering key, the
 * `seq`s it accepted, when, and whether two requests of one key were ever in flight at once.
 */
class OrderCheckingReceiver {
  readonly accepted = new Map<string, number[]>();
  readonly acceptedAt = new Map<string, number[]>();
  readonly overlaps: string[] = [];
  /** The most keyed requests (of different keys, since one key never overlaps) in flight at once. */
  mostKeysInFlight = 0;
  private keysInFlight = 0;
  private readonly inFlight = new Map<string, number>();

  constructor(
    readonly receiver: TestReceiver,
    private readonly fails: (key: string, seq: number) => boolean,
  ) {
    receiver.respondWith((request, response) => this.answer(request, response));
  }

  private answer(request: ReceivedRequest, response: ServerResponse): void {
    const { data } = JSON.parse(request.body) as Body;
    const key = `${request.path} ${data.key ?? '(none)'}`;
    const keyed = data.key !== undefined;
    const inFlight = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, inFlight);
    if (keyed && inFlight > 1) this.overlaps.push(`${key} #${data.seq}`);
    if (keyed) this.mostKeysInFlight = Math.max(this.mostKeysInFlight, ++this.keysInFlight);
    // Keyed requests take a while, so that a key's backlog lasts longer than an unkeyed delivery.
    setTimeout(
      () => {
        this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
        if (keyed) this.keysInFlight--;
        if (this.fails(key, data.seq)) {
          response.writeHead(500).end();
          return;
        }
        push(this.accepted, key, data.seq);
        push(this.acceptedAt, key, Date.now());
        response.writeHead(204).end();
      },
      keyed ? 5 + Math.floor(Math.random() * 15) : 0,
    );
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const range = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

/** Emits, concurrently, `count` events for each key (seq 1..count, in order per key). */
function emitKeyed(hooks: WebhooksTestApp, listId: string, keys: string[], count: number) {
  return Promise.all(
    range(count).flatMap((seq) =>
      keys.map((key) =>
        hooks.webhooks.emit(
          { listId, type: 'contact.updated', source: 'api', data: { key, seq } },
          { orderingKey: key },
        ),
      ),
    ),
  );
}

function emitUnkeyed(hooks: WebhooksTestApp, listId: string, count: number) {
  return Promise.all(
    range(count).map((seq) =>
      hooks.webhooks.emit({ listId, type: 'contact.updated', source: 'api', data: { seq } }),
    ),
  );
}

/** The delivery ids of a list's keyed events, oldest first. */
async function deliveryIdsOf(hooks: WebhooksTestApp, listId: string): Promise<string[]> {
  const rows = await hooks.dataSource
    .getRepository(WebhookDelivery)
    .createQueryBuilder('delivery')
    .innerJoin(WebhookEvent, 'event', 'event.id = delivery.eventId')
    .where('event.listId = :listId', { listId })
    .orderBy('delivery.id', 'ASC')
    .getMany();
  return rows.map((row) => row.id);
}

async function allAccepted(checker: OrderCheckingReceiver, keys: string[], count: number) {
  await eventually(() => keys.every((key) => (checker.accepted.get(key)?.length ?? 0) >= count), {
    timeoutMs: 25_000,
    what: `${count} accepted per key`,
  });
}

describe.each<TestDatabase>(TEST_DATABASES)('ordering per key on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({ database, options: ORDERING_OPTIONS });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('delivers each key in emit order, one at a time, past random failures; other keys, subscriptions and unkeyed events go meanwhile', async () => {
    const checker = new OrderCheckingReceiver(receiver, () => Math.random() < 0.3);
    for (const path of ['/a', '/b'])
      await createSubscription(hooks, 'ordered', {
        url: receiver.url(path),
        events: ['contact.updated'],
      });
    const keys = ['contact-1', 'contact-2', 'contact-3'];

    await emitKeyed(hooks, 'ordered', keys, 12);
    await emitUnkeyed(hooks, 'ordered', 4);

    const perPath = ['/a', '/b'].flatMap((path) => keys.map((key) => `${path} ${key}`));
    await allAccepted(checker, perPath, 12);
    for (const key of perPath) expect([key, checker.accepted.get(key)]).toEqual([key, range(12)]);
    expect(checker.overlaps).toEqual([]);
    // Some requests failed, so order was kept across retries.
    expect(receiver.requests.length).toBeGreaterThan(2 * (3 * 12 + 4));

    // Unkeyed events, emitted last, were not held back behind the keys' backlogs.
    await eventually(() =>
      ['/a', '/b'].every((path) => (checker.accepted.get(`${path} (none)`)?.length ?? 0) === 4),
    );
    const lastKeyed = Math.max(...perPath.map((key) => Math.max(...checker.acceptedAt.get(key)!)));
    for (const path of ['/a', '/b']) {
      const firstUnkeyed = Math.min(...checker.acceptedAt.get(`${path} (none)`)!);
      expect(firstUnkeyed).toBeLessThan(lastKeyed);
    }
    // Keys and subscriptions ran side by side: requests of several keys were in flight at once.
    expect(checker.mostKeysInFlight).toBeGreaterThan(1);
  });

  it('lets the next delivery of a key go once an earlier one is exhausted', async () => {
    const checker = new OrderCheckingReceiver(receiver, (_key, seq) => seq === 1);
    await createSubscription(hooks, 'doomed', {
      url: receiver.url('/doomed'),
      events: ['contact.updated'],
    });

    await emitKeyed(hooks, 'doomed', ['contact-9'], 3);

    await allAccepted(checker, ['/doomed contact-9'], 2);
    expect(checker.accepted.get('/doomed contact-9')).toEqual([2, 3]);
    expect(checker.overlaps).toEqual([]);
    const received = receiver
      .received('/doomed')
      .map((request) => (JSON.parse(request.body) as Body).data.seq);
    // Nine attempts of the first (the schedule's eight retries), then the others, in order.
    expect(received).toEqual([...Array<number>(9).fill(1), 2, 3]);
  });

  it('redelivers a waiting delivery in its turn, and a final one at once', async () => {
    const log: string[] = [];
    let answerFirst = (): void => undefined;
    receiver.respondWith((request, response) => {
      if (request.path !== '/again') return void response.writeHead(204).end();
      const { data } = JSON.parse(request.body) as Body;
      log.push(`sent ${data.seq}`);
      if (data.seq === 1 && log.length === 1) {
        // The first one hangs until the test lets it answer.
        answerFirst = () => {
          log.push('answered 1');
          response.writeHead(204).end();
        };
        return;
      }
      response.writeHead(204).end();
    });
    const subscription = await createSubscription(hooks, 'again', {
      url: receiver.url('/again'),
      events: ['contact.updated'],
    });
    const [, second] = await emitKeyed(hooks, 'again', ['contact-r'], 2);
    await receiver.waitFor(1, { path: '/again' });
    const http = hooks.app.getHttpServer() as App;
    const redeliver = (deliveryId: string) =>
      request(http)
        .post(`/lists/again/webhooks/${subscription.id}/deliveries/${deliveryId}/redeliver`)
        .expect(202);

    // Redelivered while the first is in flight: it still waits (its due time leased again).
    await redeliver(second.deliveryIds[0]);
    const deliveries = hooks.dataSource.getRepository(WebhookDelivery);
    await eventually(async () => {
      const row = await deliveries.findOneByOrFail({ id: second.deliveryIds[0] });
      return (row.nextAttemptAt?.getTime() ?? 0) > Date.now() + 1_000;
    });
    expect(log).toEqual(['sent 1']);
    answerFirst();
    await receiver.waitFor(2, { path: '/again' });
    expect(log).toEqual(['sent 1', 'answered 1', 'sent 2']);

    // A redelivery of a final one is a resend of a past turn: sent at once.
    await redeliver((await deliveryIdsOf(hooks, 'again'))[0]);
    await receiver.waitFor(3, { path: '/again' });
    expect(log).toEqual(['sent 1', 'answered 1', 'sent 2', 'sent 1']);
  });

  it('holds a delivery paced by its rate limit behind an earlier one redelivered meanwhile', async () => {
    const log: number[] = [];
    receiver.respondWith((request, response) => {
      if (request.path === '/paced-again') log.push((JSON.parse(request.body) as Body).data.seq);
      response.writeHead(204).end();
    });
    const subscription = await createSubscription(hooks, 'paced-again', {
      url: receiver.url('/paced-again'),
      events: ['contact.updated'],
      rateLimit: 1,
    });
    const [first] = await emitKeyed(hooks, 'paced-again', ['contact-p'], 1);
    await receiver.waitFor(1, { path: '/paced-again' });
    await eventually(async () => {
      const row = await hooks.dataSource
        .getRepository(WebhookDelivery)
        .findOneByOrFail({ id: first.deliveryIds[0] });
      return row.status === 'succeeded';
    });
    // The endpoint's next two seconds are taken: the second delivery, its turn come, is paced.
    const throttle = hooks.app.get(EndpointThrottle);
    for (let i = 0; i < 2; i++) await throttle.reserve(subscription.id, 1);
    const second = { key: 'contact-p', seq: 2 };
    const event = { listId: 'paced-again', type: 'contact.updated', source: 'api' as const };
    await hooks.webhooks.emit({ ...event, data: second }, { orderingKey: second.key });
    // Before it goes, the first is redelivered: unfinished again, it is the key's turn.
    await request(hooks.app.getHttpServer() as App)
      .post(
        `/lists/paced-again/webhooks/${subscription.id}/deliveries/${first.deliveryIds[0]}/redeliver`,
      )
      .expect(202);
    await receiver.waitFor(3, { path: '/paced-again', timeoutMs: 15_000 });
    expect(log).toEqual([1, 1, 2]);
  });

  it('rejects a bad orderingKey, naming it, and stores nothing', async () => {
    await createSubscription(hooks, 'bad-key', {
      url: receiver.url('/bad-key'),
      events: ['contact.updated'],
    });
    const before = await hooks.dataSource.getRepository(WebhookEvent).count();
    for (const orderingKey of ['', 'x'.repeat(201), 'a\u0000b', 42 as unknown as string]) {
      const emitted = hooks.webhooks.emit(
        { listId: 'bad-key', type: 'contact.updated', source: 'api', data: {} },
        { orderingKey },
      );
      await expect(emitted).rejects.toBeInstanceOf(InvalidWebhookEventError);
      await expect(emitted).rejects.toThrow(/orderingKey/);
    }
    expect(await hooks.dataSource.getRepository(WebhookEvent).count()).toBe(before);
    // The longest key accepted is stored whole, on the event and its delivery.
    const longest = 'k'.repeat(200);
    const { deliveryIds } = await hooks.webhooks.emit(
      { listId: 'bad-key', type: 'contact.updated', source: 'api', data: {} },
      { orderingKey: longest },
    );
    const row = await hooks.dataSource
      .getRepository(WebhookDelivery)
      .findOneByOrFail({ id: deliveryIds[0] });
    expect(row.orderingKey).toBe(longest);
  });
});

describe('ordering per key across two workers on one PostgreSQL store', () => {
  let first: WebhooksTestApp;
  let second: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    first = await createWebhooksApp({ database: 'postgres', options: ORDERING_OPTIONS });
    second = await createWebhooksApp({
      database: 'postgres',
      options: ORDERING_OPTIONS,
      sharingStoreWith: first,
    });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await receiver.close();
  });

  it('keeps each key in order and one at a time', async () => {
    const checker = new OrderCheckingReceiver(receiver, () => Math.random() < 0.3);
    await createSubscription(first, 'shared', {
      url: receiver.url('/shared'),
      events: ['contact.updated'],
    });
    const keys = ['contact-1', 'contact-2', 'contact-3'];

    // Emitted from both processes, each key from one of them.
    await Promise.all([
      emitKeyed(first, 'shared', keys.slice(0, 2), 12),
      emitKeyed(second, 'shared', keys.slice(2), 12),
    ]);

    const perKey = keys.map((key) => `/shared ${key}`);
    await allAccepted(checker, perKey, 12);
    for (const key of perKey) expect([key, checker.accepted.get(key)]).toEqual([key, range(12)]);
    expect(checker.overlaps).toEqual([]);
  });
});

/**
 * Worker-only child processes deliver (test/processes/webhooks-worker.main.ts: relay every 500 ms,
 * retries from 200 ms); one is killed -9 in the middle of the keys' backlogs.
 */
describe('ordering per key when a worker is killed', () => {
  let api: WebhooksTestApp;
  let receiver: TestReceiver;
  const workers: ChildHandle[] = [];

  const startWorker = async (name: string) => {
    const worker = await ChildHandle.startTs(
      'test/processes/webhooks-worker.main.ts',
      {
        DATABASE_URL,
        PG_SCHEMA: api.database.schema!,
        REDIS_URL,
        BULL_PREFIX: api.bullPrefix,
        WORKER_NAME: name,
      },
      'worker ready',
    );
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    api = await createWebhooksApp({ database: 'postgres', options: { worker: false } });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await api.close();
    await receiver.close();
  }, 60_000);

  it('keeps each key in order; only the killed worker’s unrecorded send repeats, right after itself', async () => {
    const checker = new OrderCheckingReceiver(receiver, () => Math.random() < 0.3);
    await createSubscription(api, 'killed', {
      url: receiver.url('/killed'),
      events: ['contact.updated'],
    });
    const first = await startWorker('ordering-a');
    await startWorker('ordering-b');
    const keys = ['contact-1', 'contact-2', 'contact-3'].map((key) => `/killed ${key}`);

    await emitKeyed(api, 'killed', ['contact-1', 'contact-2', 'contact-3'], 12);
    await eventually(
      () => keys.reduce((sum, key) => sum + (checker.accepted.get(key)?.length ?? 0), 0) >= 8,
      { timeoutMs: 30_000, what: 'the backlogs under way' },
    );
    await first.kill('SIGKILL');

    const distinct = (key: string) =>
      (checker.accepted.get(key) ?? []).filter((seq, index, all) => seq !== all[index - 1]);
    await eventually(() => keys.every((key) => distinct(key).length >= 12), {
      timeoutMs: 90_000,
      what: 'every key delivered after the kill',
    });
    // At least once: a send the killed worker made but did not record is made again, before any
    // later one of its key.
    for (const key of keys) expect([key, distinct(key)]).toEqual([key, range(12)]);
    expect(checker.overlaps).toEqual([]);
  }, 120_000);
});
