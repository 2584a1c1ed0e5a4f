import { FAST_PORTS } from '../lib/bench.config';
import {
  emitterConfig,
  halfRate,
  listsOnFastPorts,
  measureOpenLoop,
  producerOf,
  startModuleWorkers,
  stopAll,
  type BenchContext,
} from '../lib/bench.context';
import type { EmitterApi, HopSpansApi } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import { formatHopTable, joinHopSpans } from '../lib/hop-breakdown';

/** H's rate when S1 did not run in the same run (and BENCH_LATENCY_RATE is not set). */
export const HOPS_DEFAULT_RATE = 1_000;

/** The last attempt spans end once their responses are in, just after the receiver counted them. */
const SPANS_SETTLE_MS = 500;

/**
 * H: S1's latency phase once more (its lists, subscriptions, emitter and workers; open loop at half
 * S1's maximum), with an OpenTelemetry SDK in the emitter and the workers, keeping the emit,
 * hand-off and attempt spans. Joined per delivery, they say which hop the latency goes to.
 */
export async function runS1Hops(ctx: BenchContext): Promise<void> {
  await ctx.services.resetState();
  const { targets, lists } = listsOnFastPorts(ctx, 'h', FAST_PORTS);
  await ctx.services.createSubscriptions(targets);
  // Its own emitter: the shared one runs without an SDK.
  const [emitter, workers] = await Promise.all([
    BenchChild.start<EmitterApi>(
      'hops-emitter',
      'bench/lib/emitter.process.ts',
      emitterConfig(ctx, { hopTracing: true }),
    ),
    startModuleWorkers(ctx, 'hops', { hopTracing: true }),
  ]);
  const traced: Array<BenchChild<HopSpansApi>> = [emitter, ...workers];
  try {
    const rate = halfRate(ctx.results.s1?.throughput.deliveriesPerSec ?? 2 * HOPS_DEFAULT_RATE);
    const latency = await measureOpenLoop(
      ctx,
      producerOf(emitter),
      lists,
      rate,
      ctx.durations.s1LatencyMs,
      async () => {
        await Promise.all(traced.map((child) => child.call('clearHopSpans')));
      },
    );
    await new Promise((resolve) => setTimeout(resolve, SPANS_SETTLE_MS));
    const [spans, arrivals] = await Promise.all([
      Promise.all(traced.map((child) => child.call('takeHopSpans'))),
      ctx.receiver.fastArrivals(),
    ]);
    const result = joinHopSpans(spans, arrivals, latency);
    ctx.results.s1Hops = result;
    ctx.log(formatHopTable(result).join('\n'));
  } finally {
    await stopAll(traced);
  }
}
