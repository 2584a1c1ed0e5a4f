import { FAST_PORTS } from '../lib/bench.config';
import {
  halfRate,
  listsOnFastPorts,
  measureOpenLoop,
  producerOf,
  saturatedRound,
  startModuleWorkers,
  stopAll,
  type BenchContext,
} from '../lib/bench.context';
import {
  closeModuleStore,
  startStoreSide,
  type ModuleSide,
  type StoreSideSpec,
} from '../lib/module-store';
import { persistedRowsSummary } from '../lib/report.util';
import type { RawResult, S1Result, S1StoreResult, ThroughputResult } from '../lib/results.types';
import { medianBy, medianRatio, rate } from '../lib/rounds.util';
import {
  startNaiveBaseline,
  startPersistedBaseline,
  startRawBaseline,
  type NaiveBaseline,
  type PersistedBaseline,
  type RawBaseline,
} from './baselines.scenario';
import { runS3 } from './s3-isolation.scenario';
import { S1_FILTERED, witnessFilters } from './s1-filtered.scenario';
import { S1_LOCAL, witnessBullJobs } from './s1-local.scenario';
import { S1_ORDERED, witnessOrdering } from './s1-ordered.scenario';
import { S1_PRUNED, witnessPruning } from './s1-pruned.scenario';

export interface SideBySideSelection {
  raw: boolean;
  naive: boolean;
  persisted: boolean;
  s1: boolean;
  s1Mariadb: boolean;
  s1Pruned: boolean;
  s1Filtered: boolean;
  s1Ordered: boolean;
  s1Local: boolean;
  s3: boolean;
}

const S1_MARIADB: StoreSideSpec = { id: 'S1-mariadb', listPrefix: 's1m', database: 'mariadb' };

interface Sides {
  raw?: RawBaseline;
  naive?: NaiveBaseline;
  /** On a PostgreSQL schema of its own. */
  persisted?: PersistedBaseline;
  s1?: ModuleSide;
  /** On stores of their own. */
  s1Mariadb?: ModuleSide;
  s1Pruned?: ModuleSide;
  s1Filtered?: ModuleSide;
  s1Ordered?: ModuleSide;
  s1Local?: ModuleSide;
}

/**
 * B-raw, B-naive, B-persisted, S1, S1-mariadb, S1-pruned, S1-filtered, S1-ordered and S1-local measured side by side: all their processes run at
 * once (idle when not measured) and the saturated measurements alternate for `rounds` rounds, so the
 * ratios come from back-to-back figures rather than from minutes apart on a shared machine. Each
 * figure is its median round; each ratio is the median of per-round ratios. Then latency at half
 * S1's maximum on a clock (open model), for S1 and for B-naive at the same rate; B-persisted's,
 * S1-mariadb's, S1-pruned's, S1-filtered's, S1-ordered's and S1-local's at half their own.
 *
 * S1: 100 lists × 1 subscription, each on its own receiver origin; events round-robin over the
 * lists (1 event → 1 delivery). S1-mariadb: the same on a MariaDB store of its own (database, Bull
 * prefix, emitter and workers), sharing Redis and the receiver's origins. S1-pruned: likewise on a
 * PostgreSQL schema of its own, its workers pruning the history as they deliver (see
 * s1-pruned.scenario.ts). S1-filtered: likewise, with a second subscription on each list whose
 * content filter never matches (see s1-filtered.scenario.ts). S1-ordered: likewise, its emitter
 * passing an ordering key with every event (see s1-ordered.scenario.ts). S1-local: likewise, its
 * emitter a worker too, running its own emits' first attempts (see s1-local.scenario.ts). B-persisted: the hand-written Bull
 * version with a TypeORM delivery log, on a PostgreSQL schema of its own (see baselines.scenario.ts).
 *
 * S3 comes after, with S1 still up: see runS3.
 */
export async function runSideBySide(ctx: BenchContext, selection: SideBySideSelection) {
  await ctx.services.resetState();
  const sides: Sides = {};
  try {
    const s1Setup = listsOnFastPorts(ctx, 's1', FAST_PORTS);
    if (selection.s1) await ctx.services.createSubscriptions(s1Setup.targets);
    const [raw, naive, persisted, s1Workers, s1Mariadb, s1Pruned, s1Filtered, s1Ordered, s1Local] =
      await Promise.all([
        selection.raw ? startRawBaseline(ctx) : undefined,
        selection.naive ? startNaiveBaseline(ctx) : undefined,
        selection.persisted ? startPersistedBaseline(ctx) : undefined,
        selection.s1 ? startModuleWorkers(ctx, 's1') : undefined,
        selection.s1Mariadb ? startStoreSide(ctx, S1_MARIADB) : undefined,
        selection.s1Pruned ? startStoreSide(ctx, S1_PRUNED) : undefined,
        selection.s1Filtered ? startStoreSide(ctx, S1_FILTERED) : undefined,
        selection.s1Ordered ? startStoreSide(ctx, S1_ORDERED) : undefined,
        selection.s1Local ? startStoreSide(ctx, S1_LOCAL) : undefined,
      ]);
    Object.assign(sides, {
      raw,
      naive,
      persisted,
      s1Mariadb,
      s1Pruned,
      s1Filtered,
      s1Ordered,
      s1Local,
    });
    if (s1Workers) {
      const emitter = producerOf(await ctx.emitter());
      sides.s1 = {
        id: 'S1',
        workers: s1Workers,
        producer: emitter,
        lists: s1Setup.lists,
        rounds: [],
        services: ctx.services,
        listPrefix: 's1-',
      };
    }
    await measureSides(ctx, sides);
    await closeOthers(sides);
    if (selection.s3) await runS3(ctx, sides.s1);
  } finally {
    await closeOthers(sides);
    if (sides.s1) await stopAll(sides.s1.workers);
  }
}

/** Stops the baselines and closes the stores of their own; S1 stays up (S3 compares with it). */
async function closeOthers(sides: Sides): Promise<void> {
  const { raw, naive, persisted, s1Mariadb, s1Pruned, s1Filtered, s1Ordered, s1Local } = sides;
  sides.raw = sides.naive = sides.persisted = undefined;
  sides.s1Mariadb = sides.s1Pruned = sides.s1Filtered = sides.s1Ordered = sides.s1Local = undefined;
  await Promise.all([
    raw?.stop(),
    naive?.stop(),
    persisted?.stop(),
    ...[s1Mariadb, s1Pruned, s1Filtered, s1Ordered, s1Local].map(
      (side) => side?.store && closeModuleStore(side.store),
    ),
  ]);
}

/** A module side's figures once its rounds are done: median round, ratios, attempts, latency. */
async function moduleSideResult(
  ctx: BenchContext,
  side: ModuleSide,
  baselines: { naiveRates: number[]; rawRates: number[]; persistedRates: number[] },
): Promise<S1Result> {
  const rates = side.rounds.map(rate);
  const throughput = medianBy(side.rounds, rate);
  const latency = await measureOpenLoop(
    ctx,
    side.producer,
    side.lists,
    halfRate(throughput.deliveriesPerSec),
    ctx.durations.s1LatencyMs,
  );
  const { naiveRates, rawRates, persistedRates } = baselines;
  const result: S1Result = {
    throughput,
    rounds: rates,
    ratios: {
      vsNaive: medianRatio(rates, naiveRates),
      vsRaw: medianRatio(rates, rawRates),
      vsPersisted: medianRatio(rates, persistedRates),
    },
    attempts: await side.services.attemptOutcomes(side.listPrefix),
    latency,
  };
  logLatency(ctx, side.id, result);
  return result;
}

async function measureSides(ctx: BenchContext, sides: Sides): Promise<void> {
  const { raw, naive, persisted, s1, s1Mariadb, s1Pruned, s1Filtered, s1Ordered, s1Local } = sides;
  const modules = [s1, s1Mariadb, s1Pruned, s1Filtered, s1Ordered, s1Local].filter(
    (side) => side !== undefined,
  );
  const pruning = s1Pruned && witnessPruning(ctx, s1Pruned);
  const filters = s1Filtered && (await witnessFilters(ctx, s1Filtered));
  // S1's jobs per delivery beside S1-local's: what the first attempts run in its emitter saved.
  const s1Jobs = s1 && witnessBullJobs(ctx, s1);
  const s1LocalJobs = s1Local && witnessBullJobs(ctx, s1Local);
  const rawRounds: RawResult[] = [];
  const naiveRounds: ThroughputResult[] = [];
  const persistedRounds: ThroughputResult[] = [];
  for (let round = 1; round <= ctx.durations.rounds; round++) {
    const parts: string[] = [];
    if (raw) {
      const result = await raw.measure();
      rawRounds.push(result);
      parts.push(`B-raw ${result.requestsPerSec}/s`);
    }
    if (naive) {
      const result = await saturatedRound(ctx, naive, ctx.durations.naiveMs);
      naiveRounds.push(result);
      parts.push(`B-naive ${result.deliveriesPerSec}/s`);
    }
    if (persisted) {
      // S1's duration: both write rows that pile up in their tables over a round.
      const result = await saturatedRound(ctx, persisted, ctx.durations.s1ThroughputMs);
      persistedRounds.push(result);
      parts.push(`B-persisted ${result.deliveriesPerSec}/s`);
    }
    for (const side of modules) {
      const { s1ThroughputMs } = ctx.durations;
      const result = await saturatedRound(ctx, side, s1ThroughputMs, side.services.database);
      side.rounds.push(result);
      parts.push(`${side.id} ${result.deliveriesPerSec}/s`);
      await side.afterRound?.(result);
    }
    ctx.log(`round ${round}/${ctx.durations.rounds}: ${parts.join(', ')}`);
  }
  await Promise.all([s1Jobs?.roundsDone(), s1LocalJobs?.roundsDone()]);

  const rawRates = rawRounds.map((result) => result.requestsPerSec);
  const naiveRates = naiveRounds.map(rate);
  if (rawRounds.length > 0) {
    ctx.results.baselines.raw = medianBy(rawRounds, (result) => result.requestsPerSec);
    ctx.results.baselines.rawRounds = rawRates;
  }
  if (naiveRounds.length > 0) {
    ctx.results.baselines.naive = medianBy(naiveRounds, rate);
    ctx.results.baselines.naiveRounds = naiveRates;
  }

  const persistedRates = persistedRounds.map(rate);
  if (persistedRounds.length > 0) {
    ctx.results.baselines.persisted = medianBy(persistedRounds, rate);
    ctx.results.baselines.persistedRounds = persistedRates;
  }

  const baselines = { naiveRates, rawRates, persistedRates };
  let latencyRate: number | undefined;
  if (s1 && s1.rounds.length > 0) {
    const result = await moduleSideResult(ctx, s1, baselines);
    if (s1Jobs) result.bullJobs = await s1Jobs.runsDone();
    ctx.results.s1 = result;
    latencyRate = halfRate(result.throughput.deliveriesPerSec);
  }
  if (naive && ctx.results.baselines.naive) {
    const naiveRate = latencyRate ?? halfRate(ctx.results.baselines.naive.deliveriesPerSec);
    const latency = await measureOpenLoop(
      ctx,
      naive.producer,
      naive.lists,
      naiveRate,
      ctx.durations.s1LatencyMs,
    );
    ctx.results.baselines.naiveLatency = latency;
    ctx.log(
      `B-naive at ${naiveRate}/s: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms`,
    );
  }
  if (persisted && ctx.results.baselines.persisted) {
    const persistedRate = halfRate(ctx.results.baselines.persisted.deliveriesPerSec);
    const latency = await measureOpenLoop(
      ctx,
      persisted.producer,
      persisted.lists,
      persistedRate,
      ctx.durations.s1LatencyMs,
    );
    ctx.results.baselines.persistedLatency = latency;
    ctx.log(
      `B-persisted at ${persistedRate}/s: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms`,
    );
    const rows = await persisted.store.rows();
    ctx.results.baselines.persistedRows = rows;
    ctx.log(`B-persisted after its runs: ${persistedRowsSummary(rows)}`);
  }
  const s1Rates = s1?.rounds.map(rate) ?? [];
  const onStore = async (side: ModuleSide): Promise<S1StoreResult> => {
    const result = await moduleSideResult(ctx, side, baselines);
    return { ...result, ratios: { ...result.ratios, vsS1: medianRatio(result.rounds, s1Rates) } };
  };
  if (s1Mariadb && s1Mariadb.rounds.length > 0) {
    ctx.results.s1Mariadb = {
      ...(await onStore(s1Mariadb)),
      server: await s1Mariadb.services.mariaDbServer(),
    };
  }
  if (s1Pruned && pruning && s1Pruned.rounds.length > 0) {
    ctx.results.s1Pruned = { ...(await onStore(s1Pruned)), ...pruning() };
  }
  if (s1Filtered && filters && s1Filtered.rounds.length > 0) {
    ctx.results.s1Filtered = { ...(await onStore(s1Filtered)), ...(await filters()) };
  }
  if (s1Ordered && s1Ordered.rounds.length > 0) {
    ctx.results.s1Ordered = {
      ...(await onStore(s1Ordered)),
      ...(await witnessOrdering(ctx, s1Ordered)),
    };
  }
  if (s1Local && s1LocalJobs && s1Local.rounds.length > 0) {
    const result = await onStore(s1Local);
    ctx.results.s1Local = { ...result, bullJobs: await s1LocalJobs.runsDone() };
  }
}

function logLatency(ctx: BenchContext, id: string, { latency }: S1Result): void {
  if (!latency) return;
  ctx.log(
    `${id} at ${latency.targetRatePerSec}/s: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms`,
  );
}
