import { execFileSync } from 'node:child_process';
import { WebhookDelivery } from './support/internals';
import { eventually } from './support/eventually';
import { ChildHandle, startPrivateRedis } from './support/processes';
import { TestReceiver } from './support/receiver';
import { DATABASE_URL, withPg } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const WORKER = 'test/processes/webhooks-worker.main.ts';
const EMITTER = 'test/processes/webhooks-emitter.main.ts';
const SCENARIO_TIMEOUT_MS = 120_000;

/**
 * Real processes against real services: worker-only child processes deliver, the jest process is an
 * API-only host (worker: false) that emits, and a receiver counts unique webhook-ids. Redis is a
 * private server, so FLUSHALL touches no other test.
 */
describe('crash recovery with real processes', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let api: WebhooksTestApp;
  let receiver: TestReceiver;
  let receiverPort: number;
  const workers: ChildHandle[] = [];

  const processEnv = (name: string) => ({
    DATABASE_URL,
    PG_SCHEMA: api.database.schema!,
    REDIS_URL: redis.url,
    BULL_PREFIX: api.bullPrefix,
    WORKER_NAME: name,
  });
  const startWorker = async (name: string) => {
    const worker = await ChildHandle.startTs(WORKER, processEnv(name), 'worker ready');
    workers.push(worker);
    return worker;
  };
  const emitMany = async (listId: string, count: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < count) {
          const n = next++;
          await api.webhooks.emit({ listId, type: 'contact.updated', source: 'api', data: { n } });
        }
      }),
    );
  };
  const underWay = (path: string, count: number) =>
    eventually(() => receiver.uniqueIds(path).unique >= count || undefined, {
      timeoutMs: 30_000,
      what: 'deliveries under way',
    });
  const deliveriesOf = (subscriptionId: string) =>
    api.dataSource.getRepository(WebhookDelivery).countBy({ subscriptionId });
  const report = (scenario: string, path: string, emitted: number) => {
    const { unique, duplicates } = receiver.uniqueIds(path);
    console.log(
      `${scenario}: emitted ${emitted}, received unique ${unique}, duplicates ${duplicates}`,
    );
    return { unique, duplicates };
  };
  const waitForAll = (path: string, count: number, what: string) =>
    eventually(() => receiver.uniqueIds(path).unique >= count || undefined, {
      timeoutMs: 60_000,
      what,
    }).catch((error: Error) => {
      const output = workers.map((worker) => worker.output.slice(-2_000)).join('\n---\n');
      throw new Error(
        `${error.message}; received ${JSON.stringify(receiver.uniqueIds(path))}\n${output}`,
      );
    });

  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await createWebhooksApp({
      database: 'postgres',
      redisUrl: redis.url,
      options: { worker: false },
    });
    receiver = await TestReceiver.start();
    receiverPort = receiver.port;
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await api.close();
    await receiver.close();
    await redis.handle.kill('SIGTERM');
  }, 60_000);
  beforeEach(() => {
    receiver.requests.length = 0;
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  }, 30_000);

  it(
    'delivers everything committed when an emitter that sends its own first attempts is killed -9 mid-load',
    async () => {
      const subscription = await createSubscription(api, 'crash-local', {
        url: receiver.url('/crash-local'),
        events: ['contact.updated'],
      });
      await startWorker('worker-c');
      const emitter = await ChildHandle.startTs(
        EMITTER,
        { ...processEnv('emitter'), EVENTS: '3000', LIST_ID: 'crash-local', DELIVERS: '1' },
        'committed 1000',
      );
      await emitter.kill('SIGKILL');

      const committed = await deliveriesOf(subscription.id);
      await waitForAll('/crash-local', committed, `all ${committed} committed deliveries`);
      const { unique, duplicates } = report(
        'kill -9 delivering emitter',
        '/crash-local',
        committed,
      );
      expect(committed).toBeGreaterThanOrEqual(1000);
      expect(unique).toBe(committed);
      // Only attempts in flight in the killed emitter may be sent twice (its concurrency is 50).
      expect(duplicates).toBeLessThanOrEqual(50);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'delivers everything committed when the emitter and a worker are killed -9 mid-load',
    async () => {
      const subscription = await createSubscription(api, 'crash', {
        url: receiver.url('/crash'),
        events: ['contact.updated'],
      });
      const first = await startWorker('worker-a');
      await startWorker('worker-b');
      const emitter = await ChildHandle.startTs(
        EMITTER,
        { ...processEnv('emitter'), EVENTS: '3000', LIST_ID: 'crash' },
        'committed 1000',
      );
      await emitter.kill('SIGKILL');
      await underWay('/crash', 300);
      await first.kill('SIGKILL');
      await startWorker('worker-a2');

      const committed = await deliveriesOf(subscription.id);
      await waitForAll('/crash', committed, `all ${committed} committed deliveries`);
      const { unique, duplicates } = report('kill -9 emitter and worker', '/crash', committed);
      expect(committed).toBeGreaterThanOrEqual(1000);
      expect(unique).toBe(committed);
      // Only jobs in flight in the killed worker may be sent twice (its concurrency is 50).
      expect(duplicates).toBeLessThanOrEqual(50);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'delivers everything when Redis loses its data (FLUSHALL) mid-load',
    async () => {
      const subscription = await createSubscription(api, 'flush', {
        url: receiver.url('/flush'),
        events: ['contact.updated'],
      });
      await startWorker('worker-c');
      await startWorker('worker-d');
      const emitting = emitMany('flush', 2000);
      await underWay('/flush', 300);
      execFileSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);
      await emitting;
      await waitForAll('/flush', 2000, 'all 2000 deliveries after FLUSHALL');
      const { unique, duplicates } = report('FLUSHALL mid-load', '/flush', 2000);
      expect(unique).toBe(await deliveriesOf(subscription.id));
      expect(duplicates).toBeLessThanOrEqual(100);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'recovers by itself when PostgreSQL drops the worker connections mid-load',
    async () => {
      await createSubscription(api, 'pgdrop', {
        url: receiver.url('/pgdrop'),
        events: ['contact.updated'],
      });
      await startWorker('worker-e');
      const emitting = emitMany('pgdrop', 1500);
      await underWay('/pgdrop', 200);
      const terminated = await withPg(async (client) => {
        const result = await client.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'worker-e'",
        );
        return result.rowCount;
      });
      await emitting;
      await waitForAll('/pgdrop', 1500, 'all 1500 deliveries after the connections dropped');
      const { unique, duplicates } = report(
        `${terminated} PostgreSQL connections dropped mid-load`,
        '/pgdrop',
        1500,
      );
      expect(terminated).toBeGreaterThan(0);
      expect(unique).toBe(1500);
      expect(duplicates).toBeLessThanOrEqual(50);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'delivers everything once a receiver that was down comes back',
    async () => {
      await createSubscription(api, 'outage', {
        url: receiver.url('/outage'),
        events: ['contact.updated'],
      });
      await startWorker('worker-f');
      await receiver.close();
      await emitMany('outage', 300);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      receiver = await TestReceiver.start('127.0.0.1', receiverPort);
      await waitForAll('/outage', 300, 'all 300 deliveries after the outage');
      const { unique } = report('receiver down for 2 s', '/outage', 300);
      expect(unique).toBe(300);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
