import {
  halfRate,
  listsOnFastPorts,
  measureOpenLoop,
  producerOf,
  startModuleWorkers,
  stopAll,
  type BenchContext,
} from '../lib/bench.context';
import { FAST_PORTS } from '../lib/bench.config';
import { MemorySampler } from '../lib/memory.sampler';

const MB = 1024 * 1024;

/**
 * S6: a sustained open-loop run at S1's half-maximum rate, sampling the worker's RSS and Redis's
 * `used_memory`; reported as start / peak / end and whether the late part of the run is flat.
 */
export async function runS6(ctx: BenchContext): Promise<void> {
  await ctx.services.resetState();
  const { targets, lists } = listsOnFastPorts(ctx, 's6', FAST_PORTS);
  await ctx.services.createSubscriptions(targets);
  const emitter = producerOf(await ctx.emitter());
  const workers = await startModuleWorkers(ctx, 's6');
  try {
    const sampler = new MemorySampler(
      [
        ...workers.map((worker, index) => ({
          label: `worker-${index + 1}`,
          read: () => worker.rss(),
          flatToleranceBytes: 16 * MB,
        })),
        { label: 'redis', read: () => ctx.services.redisUsedMemory(), flatToleranceBytes: 1 * MB },
      ],
      ctx.durations.s6SampleEveryMs,
    );
    const rate = halfRate(ctx.results.s1?.throughput.deliveriesPerSec ?? 200);
    sampler.start();
    const run = await measureOpenLoop(ctx, emitter, lists, rate, ctx.durations.s6Ms);
    const memory = await sampler.stop();
    const worst = Object.entries(memory)
      .filter(([label]) => label.startsWith('worker'))
      .map(([, summary]) => summary)
      .sort((a, b) => b.peakMb - a.peakMb)[0];
    ctx.results.s6 = {
      ratePerSec: rate,
      durationMs: ctx.durations.s6Ms,
      delivered: run.delivered,
      complete: run.complete,
      latency: run.latency,
      workerRss: worst,
      redisUsedMemory: memory.redis,
    };
    ctx.log(
      `S6: worker RSS ${worst.startMb} → peak ${worst.peakMb} → ${worst.endMb} MB; Redis ${memory.redis.startMb} → ${memory.redis.peakMb} → ${memory.redis.endMb} MB`,
    );
  } finally {
    await stopAll(workers);
  }
}
