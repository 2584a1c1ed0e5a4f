import { FAST_PORTS } from '../lib/bench.config';
import {
  startModuleWorkers,
  stopAll,
  workerCounters,
  type BenchContext,
} from '../lib/bench.context';
import { bytesToMb, MemorySampler } from '../lib/memory.sampler';

const WARM_UP_EVENTS = 2;
const RSS_SAMPLE_EVERY_MS = 50;

/**
 * S2: one event to 10,000 subscriptions of one list, spread round-robin over the 100 receiver
 * origins. Time from `emit` to the last delivery, and the worker's RSS growth over its idle,
 * warmed-up baseline (a warm-up fan-out of 2 × 100 deliveries runs first).
 */
export async function runS2(ctx: BenchContext): Promise<void> {
  await ctx.services.resetState();
  const subscriptions = ctx.durations.s2Subscriptions;
  const created = performance.now();
  await ctx.services.insertSubscriptions(
    's2',
    Array.from({ length: subscriptions }, (_unused, index) =>
      ctx.receiver.url('fast', index, `s2/${index}`),
    ),
  );
  const createMs = Math.round(performance.now() - created);
  await ctx.services.insertSubscriptions(
    's2-warm',
    Array.from({ length: FAST_PORTS }, (_unused, index) =>
      ctx.receiver.url('fast', index, `s2-warm/${index}`),
    ),
  );
  ctx.log(`S2: ${subscriptions} subscriptions inserted in ${createMs} ms`);
  const emitter = await ctx.emitter();
  const workers = await startModuleWorkers(ctx, 's2');
  try {
    await ctx.receiver.reset();
    for (let seq = 0; seq < WARM_UP_EVENTS; seq++)
      await emitter.call('fanOut', { listId: 's2-warm', seq });
    await ctx.receiver.waitForFast(WARM_UP_EVENTS * FAST_PORTS, ctx.durations.drainTimeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const baseline = Math.max(...workers.map((worker) => worker.rss() ?? 0));
    await ctx.services.resetRedisStats();
    await ctx.receiver.reset();
    const sampler = new MemorySampler(
      [
        ...workers.map((worker, index) => ({
          label: `worker-${index + 1}`,
          read: () => worker.rss(),
          flatToleranceBytes: 0,
        })),
        { label: 'redis', read: () => ctx.services.redisUsedMemory(), flatToleranceBytes: 0 },
      ],
      RSS_SAMPLE_EVERY_MS,
    );
    sampler.start();
    const { emitMs, deliveries } = await emitter.call('fanOut', { listId: 's2', seq: 0 });
    const complete = await ctx.receiver.waitForFast(deliveries, ctx.durations.drainTimeoutMs);
    const memory = await sampler.stop();
    const stats = await ctx.receiver.stats();
    const workerPeak = Math.max(
      ...Object.entries(memory)
        .filter(([label]) => label.startsWith('worker'))
        .map(([, summary]) => summary.peakMb),
    );
    ctx.results.s2 = {
      subscriptions,
      createMs,
      emitMs: Math.round(emitMs),
      delivered: stats.fast.unique,
      duplicates: stats.fast.duplicates,
      firstMs: stats.fast.latency.minMs,
      medianMs: stats.fast.latency.p50Ms,
      timeToLastMs: stats.fast.latency.maxMs,
      complete: complete && stats.fast.unique >= subscriptions,
      rssBaselineMb: bytesToMb(baseline),
      rssPeakMb: workerPeak,
      rssGrowthMb: Math.round((workerPeak - bytesToMb(baseline)) * 10) / 10,
      redisPeakMb: memory.redis?.peakMb ?? 0,
      worker: await workerCounters(workers),
    };
    ctx.log(
      `S2: ${stats.fast.unique}/${subscriptions} delivered, last after ${stats.fast.latency.maxMs} ms, RSS +${ctx.results.s2.rssGrowthMb} MB`,
    );
  } finally {
    await stopAll(workers);
  }
}
