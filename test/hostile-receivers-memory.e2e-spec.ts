import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHILD_SOURCE_DIRS,
  compileChildSources,
  removeCompiledSources,
} from '../bench/lib/child.build';
import type { ServerResponse } from 'node:http';
import { eventually } from './support/eventually';
import { ChildHandle, REPO_ROOT, startPrivateRedis, type PrivateRedis } from './support/processes';
import { TestReceiver } from './support/receiver';
import { DATABASE_URL } from './support/services';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const WORKER = 'test/processes/webhooks-worker.main.js';
const MiB = 1024 * 1024;
/** The memory goal of a worker process (issue 18). */
const RSS_GOAL_BYTES = 256 * MiB;
const BIG_BODY_BYTES = 50 * MiB;
const EVENTS = 150;
const HOSTILE_PER_KIND = 7;
/**
 * As a worker deployed within a 256 MiB budget is started. Without a limit, V8 sizes the heap (and its
 * young generation) from the host's RAM, 24 GiB here, and lets garbage reach 150 MiB before a full
 * collection although 45 MiB survive it: the peak then depends on the host, not on the worker. Any limit
 * from 96 to 512 MiB gave the same peaks (166–173 MiB, see docs/operations.md).
 */
const WORKER_HEAP_LIMIT = '--max-old-space-size=256';

/** A figure from /proc/<pid>/status (`VmRSS`: now, `VmHWM`: the peak), in bytes. */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!kib) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kib[1]) * 1024;
}

/** 50 MiB as fast as the socket takes it, until the worker hangs up. */
function hugeBody(response: ServerResponse): void {
  const chunk = Buffer.alloc(MiB, 'x');
  let written = 0;
  response.writeHead(200, { 'content-length': String(BIG_BODY_BYTES) });
  const pump = () => {
    while (written < BIG_BODY_BYTES && !response.destroyed) {
      written += chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    if (!response.destroyed) response.end();
  };
  pump();
}

/** A byte every 50 ms, without end. */
function drip(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/plain' });
  const timer = setInterval(() => response.write('.'), 50);
  response.once('close', () => clearInterval(timer));
}

/** Headers and the start of a body, then the connection is reset. */
function reset(response: ServerResponse): void {
  response.writeHead(200, { 'content-length': '100000' });
  response.write('partial');
  response.socket?.resetAndDestroy();
}

const KINDS = { huge: hugeBody, drip, reset } as const;

/**
 * A worker-only process (as a host runs one) delivers to 21 hostile receivers (50 MiB answers, bodies
 * dripped a byte at a time, connections reset mid-answer) beside a fast one, on loopback. Its peak RSS,
 * read from the kernel, must stay within the goal: what the sender does not keep, it does not buffer,
 * and it still delivers every event to the fast receiver.
 */
describe('worker memory with hostile receivers', () => {
  let redis: PrivateRedis;
  let api: WebhooksTestApp;
  let worker: ChildHandle | undefined;
  let compiled: string;
  const receivers: TestReceiver[] = [];

  beforeAll(async () => {
    // Plain JavaScript, as a deployed host runs: swc-node's in-process compiler alone adds ~70 MB.
    compiled = await compileChildSources(REPO_ROOT, [...CHILD_SOURCE_DIRS, 'test/processes']);
    redis = await startPrivateRedis();
    api = await createWebhooksApp({
      database: 'postgres',
      redisUrl: redis.url,
      options: { worker: false },
    });
  }, 60_000);
  afterAll(async () => {
    await worker?.kill();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await api.close();
    await redis.handle.kill('SIGTERM');
    removeCompiledSources(compiled);
  }, 60_000);

  it(`keeps the worker's peak RSS within ${RSS_GOAL_BYTES / MiB} MiB`, async () => {
    const fast = await TestReceiver.start();
    receivers.push(fast);
    await createSubscription(api, 'mix', { url: fast.url('/fast'), events: ['contact.updated'] });
    const hostile = new Map<keyof typeof KINDS, TestReceiver[]>();
    for (const kind of Object.keys(KINDS) as Array<keyof typeof KINDS>) {
      for (let index = 0; index < HOSTILE_PER_KIND; index++) {
        const receiver = await TestReceiver.start();
        receiver.respondWith((_request, response) => KINDS[kind](response));
        receivers.push(receiver);
        hostile.set(kind, [...(hostile.get(kind) ?? []), receiver]);
        await createSubscription(api, 'mix', {
          url: receiver.url(`/${kind}`),
          events: ['contact.updated'],
        });
      }
    }

    worker = await ChildHandle.start(
      process.execPath,
      [WORKER_HEAP_LIMIT, join(compiled, WORKER)],
      {
        NODE_PATH: join(REPO_ROOT, 'node_modules'),
        DATABASE_URL,
        PG_SCHEMA: api.database.schema!,
        REDIS_URL: redis.url,
        BULL_PREFIX: api.bullPrefix,
        WORKER_NAME: 'hostile-mix',
      },
      'worker ready',
    );
    const pid = worker.child.pid as number;
    const atStart = memoryOf(pid, 'VmRSS');

    for (let n = 0; n < EVENTS; n++) {
      await api.webhooks.emit({
        listId: 'mix',
        type: 'contact.updated',
        source: 'api',
        data: { n },
      });
    }
    await eventually(() => fast.uniqueIds('/fast').unique >= EVENTS || undefined, {
      timeoutMs: 90_000,
      what: `all ${EVENTS} deliveries to the fast receiver`,
    });
    // Every hostile receiver has been hit again and again, retries included.
    await eventually(
      () =>
        [...hostile.values()].flat().every((receiver) => receiver.received().length >= 5) ||
        undefined,
      { timeoutMs: 90_000, what: 'every hostile receiver hit 5 times' },
    );
    const peak = memoryOf(pid, 'VmHWM');
    const now = memoryOf(pid, 'VmRSS');
    const hits = [...hostile.entries()].map(
      ([kind, list]) => `${kind} ${list.reduce((sum, r) => sum + r.received().length, 0)}`,
    );
    console.log(
      `worker RSS: ${(atStart / MiB).toFixed(0)} MiB at start, peak ${(peak / MiB).toFixed(0)} MiB, ` +
        `${(now / MiB).toFixed(0)} MiB at the end; requests to hostile receivers: ${hits.join(', ')}`,
    );
    expect(worker.exited).toBe(false);
    expect(peak).toBeLessThanOrEqual(RSS_GOAL_BYTES);
  }, 240_000);
});
