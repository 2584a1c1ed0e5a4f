import { execFileSync } from 'node:child_process';
import { eventually } from './support/eventually';
import { createEndpoint, storedEvents } from './support/inbound';
import { ChildHandle, startPrivateRedis } from './support/processes';
import { TestReceiver } from './support/receiver';
import { DATABASE_URL } from './support/services';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';
import { BURST_SECRET, sendBurst } from './support/inbound-burst';

const WORKER = 'test/processes/inbound-worker.main.ts';
const TOTAL = 1_000;
const UNIQUE = 900;
const KILLED_WORKER_CONCURRENCY = 20;

/**
 * Real processes: the jest process receives (an API-only host, worker: false), two worker-only child
 * processes run the host's handler, which reports each event it handles to a receiver. One worker is
 * killed -9 while the burst is under way; Redis is a private server.
 */
describe('inbound: kill -9 of a worker mid-burst, Redis flushed', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let api: WebhooksTestApp;
  let effects: TestReceiver;
  const workers: ChildHandle[] = [];

  const startWorker = async (name: string) => {
    const worker = await ChildHandle.startTs(
      WORKER,
      {
        DATABASE_URL,
        PG_SCHEMA: api.database.schema!,
        REDIS_URL: redis.url,
        BULL_PREFIX: api.bullPrefix,
        WORKER_NAME: name,
        EFFECTS_URL: effects.url('/effects'),
      },
      'inbound worker ready',
    );
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    redis = await startPrivateRedis();
    api = await createWebhooksApp({
      database: 'postgres',
      redisUrl: redis.url,
      appOptions: { rawBody: true },
      options: { worker: false },
    });
    await api.app.listen(0, '127.0.0.1');
    effects = await TestReceiver.start();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await api.close();
    await effects.close();
    await redis.handle.kill('SIGTERM');
  }, 60_000);

  it('processes every acknowledged event after a worker dies holding some', async () => {
    const endpoint = await createEndpoint(api, 'acme', {
      scheme: 'standard-webhooks',
      secret: BURST_SECRET,
    });
    const doomed = await startWorker('inbound-worker-a');
    await startWorker('inbound-worker-b');
    let killed: Promise<void> | undefined;
    const acknowledged = new Set<number>();
    const statuses = await sendBurst(
      `${await api.app.getUrl()}${endpoint.path}`,
      TOTAL,
      10,
      (n, status) => {
        if (status === 200) acknowledged.add(n);
        // Mid-burst, once the workers are busy: some events are held by the one that dies.
        if (!killed && effects.requests.length >= 200) killed = doomed.kill('SIGKILL');
      },
    );
    await killed;
    expect(killed).toBeDefined();
    await startWorker('inbound-worker-a2');

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(acknowledged.size).toBe(TOTAL);
    const stored = await storedEvents(api, endpoint.id);
    expect(stored).toHaveLength(UNIQUE);
    await eventually(
      async () => (await storedEvents(api, endpoint.id)).every((row) => row.status === 'processed'),
      { timeoutMs: 60_000, what: 'every acknowledged event processed' },
    ).catch((error: Error) => {
      const output = workers.map((worker) => worker.output.slice(-2_000)).join('\n---\n');
      throw new Error(`${error.message}\n${output}`);
    });
    const handled = effects.received('/effects').map((request) => request.body);
    const unique = new Set(handled);
    console.log(
      `inbound kill -9: ${TOTAL} acknowledged, ${unique.size} events handled, ${handled.length - unique.size} handled twice`,
    );
    expect(unique.size).toBe(UNIQUE);
    // At least once: only what the killed worker was running may run again.
    expect(handled.length - unique.size).toBeLessThanOrEqual(KILLED_WORKER_CONCURRENCY);
  }, 180_000);

  it('processes every stored event after Redis lost its data (FLUSHALL) before any worker ran', async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.kill()));
    const endpoint = await createEndpoint(api, 'acme', {
      scheme: 'standard-webhooks',
      secret: BURST_SECRET,
    });
    const before = effects.received('/effects').length;
    // No worker runs: the jobs wait in Redis, and are lost with it.
    const statuses = await sendBurst(`${await api.app.getUrl()}${endpoint.path}`, 200, 10);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await api.inboundQueue.getWaitingCount()).toBe(200);
    execFileSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL']);
    expect(await api.inboundQueue.getWaitingCount()).toBe(0);

    await startWorker('inbound-worker-c');
    await eventually(
      async () => (await storedEvents(api, endpoint.id)).every((row) => row.status === 'processed'),
      { timeoutMs: 60_000, what: 'every stored event processed after FLUSHALL' },
    );
    const handled = effects.received('/effects').slice(before);
    expect(handled).toHaveLength(200);
    expect(new Set(handled.map((request) => request.headers['webhook-id'])).size).toBe(200);
  }, 120_000);
});
