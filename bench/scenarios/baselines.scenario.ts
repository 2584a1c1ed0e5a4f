import { generateWebhookSecret } from '../../test/support/internals';
import { BENCH_MODULE_OPTIONS, FAST_PORTS } from '../lib/bench.config';
import { producerOf, stopAll, type BenchContext, type Producer } from '../lib/bench.context';
import type { LoadList, ProducerApi, RawClientApi, WorkerApi } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import type { NaiveConfig } from '../lib/naive.queue';
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
