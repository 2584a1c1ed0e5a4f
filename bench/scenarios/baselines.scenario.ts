import { generateWebhookSecret } from '../../test/support/internals';
import { BENCH_MODULE_OPTIONS, EMITTER_PG_POOL, FAST_PORTS } from '../lib/bench.config';
import { producerOf, stopAll, type BenchContext, type Producer } from '../lib/bench.context';
import type { LoadList, ProducerApi, RawClientApi, WorkerApi } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import type { NaiveConfig } from '../lib/naive.queue';
import type { PersistedConfig } from '../lib/persisted.queue';
import { PersistedStore } from '../lib/persisted.store';
import type { RawResult } from '../lib/results.types';

/** B-raw: undici Pools straight to the receiver, same payload, same 100 origins, 50 in flight. */
export interface RawBaseline {
  measure(): Promise<RawResult>;
  stop(): Promise<void>;
}

export async function startRawBaseline(ctx: BenchContext): Promise<RawBaseline> {
  const client = await BenchChild.start<RawClientApi>(
    'raw-client',
    'bench/lib/raw-client.process.ts',
    {},
  );
  const urls = Array.from({ length: FAST_PORTS }, (_unused, index) =>
    ctx.receiver.url('fast', index, `raw/${index}`),
  );
  const secret = generateWebhookSecret();
  return {
    async measure() {
      await ctx.receiver.reset();
      const report = await client.call('run', {
        urls,
        secret,
        durationMs: ctx.durations.rawMs,
        concurrency: BENCH_MODULE_OPTIONS.delivery.concurrency,
        connectionsPerOrigin: 10,
      });
      const stats = await ctx.receiver.stats();
      return {
        requestsPerSec: Math.round((report.requests / report.elapsedMs) * 1000 * 10) / 10,
        requests: report.requests,
        errors: report.errors,
        firstError: report.firstError,
        roundTrip: report.roundTrip,
        receiveLatency: stats.fast.latency,
      };
    },
    stop: () => client.stop(),
  };
}

/**
 * B-naive: a hand-written Bull processor (sign + undici POST, no database) in its own process(es)
 * with the module worker's concurrency, fed by a producer process adding one job per delivery.
 */
export interface NaiveBaseline {
  producer: Producer;
  workers: Array<BenchChild<WorkerApi>>;
  lists: LoadList[];
  stop(): Promise<void>;
}

export async function startNaiveBaseline(ctx: BenchContext): Promise<NaiveBaseline> {
  const config: NaiveConfig = {
    redisUrl: ctx.services.redis.url,
    bullPrefix: `${ctx.services.bullPrefix}_naive`,
    concurrency: BENCH_MODULE_OPTIONS.delivery.concurrency,
    connectionsPerOrigin: 10,
    requestTimeoutMs: BENCH_MODULE_OPTIONS.delivery.requestTimeoutMs,
  };
  const [producer, ...workers] = await Promise.all([
    BenchChild.start<ProducerApi>('naive-producer', 'bench/lib/naive-producer.process.ts', config),
    ...Array.from({ length: ctx.workerProcesses }, (_unused, index) =>
      BenchChild.start<WorkerApi>(
        `naive-worker-${index + 1}`,
        'bench/lib/naive-worker.process.ts',
        config,
      ),
    ),
  ]);
  const lists: LoadList[] = Array.from({ length: FAST_PORTS }, (_unused, index) => ({
    listId: `naive-${index}`,
    counts: true,
    url: ctx.receiver.url('fast', index, `naive/${index}`),
    secret: generateWebhookSecret(),
  }));
  return {
    producer: producerOf(producer),
    workers,
    lists,
    stop: () => stopAll([producer, ...workers]),
  };
}

/**
 * B-persisted: the hand-written version with a delivery log (see persisted.queue.ts), on a
 * PostgreSQL schema of its own and a Bull prefix of its own on the same Redis. Its producer has the
 * emitter's pool size, each worker process the module worker's pool size and concurrency; its
 * lists have one subscription each on the 100 fast origins, as S1's and B-naive's.
 */
export interface PersistedBaseline {
  producer: Producer;
  workers: Array<BenchChild<WorkerApi>>;
  lists: LoadList[];
  store: PersistedStore;
  stop(): Promise<void>;
}

export async function startPersistedBaseline(ctx: BenchContext): Promise<PersistedBaseline> {
  const store = await PersistedStore.start();
  try {
    const targets = Array.from({ length: FAST_PORTS }, (_unused, index) => ({
      listId: `persisted-${index}`,
      url: ctx.receiver.url('fast', index, `persisted/${index}`),
    }));
    await store.createSubscriptions(targets);
    const config = (poolSize: number): PersistedConfig => ({
      database: store.childDatabase,
      poolSize,
      asyncCommit: ctx.asyncCommit,
      redisUrl: ctx.services.redis.url,
      bullPrefix: `${ctx.services.bullPrefix}_persisted`,
      concurrency: BENCH_MODULE_OPTIONS.delivery.concurrency,
      connectionsPerOrigin: 10,
      requestTimeoutMs: BENCH_MODULE_OPTIONS.delivery.requestTimeoutMs,
    });
    const started = await Promise.allSettled([
      BenchChild.start<ProducerApi>(
        'persisted-producer',
        'bench/lib/persisted-producer.process.ts',
        config(EMITTER_PG_POOL),
      ),
      ...Array.from({ length: ctx.workerProcesses }, (_unused, index) =>
        BenchChild.start<WorkerApi>(
          `persisted-worker-${index + 1}`,
          'bench/lib/persisted-worker.process.ts',
          config(ctx.workerPool),
        ),
      ),
    ]);
    const children = started.flatMap((one) => (one.status === 'fulfilled' ? [one.value] : []));
    const failure = started.find((one) => one.status === 'rejected');
    if (failure) {
      await stopAll(children);
      throw failure.reason;
    }
    const [producer, ...workers] = children as [
      BenchChild<ProducerApi>,
      ...Array<BenchChild<WorkerApi>>,
    ];
    return {
      producer: producerOf(producer),
      workers,
      lists: targets.map(({ listId }) => ({ listId, counts: true })),
      store,
      async stop() {
        await stopAll([producer, ...workers]);
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
