import { FAST_PORTS } from '../lib/bench.config';
import {
  emitterConfig,
  halfRate,
  listsOnFastPorts,
  measureOpenLoop,
  measureSaturated,
  producerOf,
  startModuleWorkers,
  stopAll,
  workerCounters,
  type BenchContext,
  type Producer,
} from '../lib/bench.context';
import type { EmitterApi, LoadList, WorkerApi, WorkerInstrumentation } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import type { RawResult, S1Result, ThroughputResult } from '../lib/results.types';
import { BenchServices, type BenchDatabase, type SubscriptionTarget } from '../lib/services.setup';
import {
  startNaiveBaseline,
  startRawBaseline,
  type NaiveBaseline,
  type RawBaseline,
} from './baselines.scenario';
import { isolationSetup } from './s3-isolation.scenario';

export interface SideBySideSelection {
  raw: boolean;
  naive: boolean;
  s1: boolean;
  s1Mariadb: boolean;
  s3: boolean;
}

/** One configuration of the module under test: its workers, the emitter feeding them, its lists. */
interface ModuleSide {
  workers: Array<BenchChild<WorkerApi>>;
  emitter: Producer;
  lists: LoadList[];
  rounds: ThroughputResult[];
  /** Where its tables are: S1 on the main store (PostgreSQL), S1-mariadb on a store of its own. */
  services: BenchServices;
  /** Its list ids start with this (attempts recorded are counted by it). */
  listPrefix: string;
}

interface Sides {
  raw?: RawBaseline;
  naive?: NaiveBaseline;
  s1?: ModuleSide;
  s1Mariadb?: ModuleSide & { store: ModuleStore };
}

/** The round whose rate is the median (its other figures stay consistent with it). */
function medianBy<T>(rounds: readonly T[], rate: (round: T) => number): T {
  const sorted = [...rounds].sort((a, b) => rate(a) - rate(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function median(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}

/** Median of the per-round ratios a[i] / b[i]. */
function medianRatio(a: readonly number[], b: readonly number[]): number | null {
  return median(a.map((value, index) => value / b[index]));
}

/**
 * B-raw, B-naive, S1 and S1-mariadb measured side by side: all their processes run at once (idle
 * when not measured) and the saturated measurements alternate for `rounds` rounds, so the ratios
 * come from back-to-back figures rather than from minutes apart on a shared machine. Each figure is
 * its median round; each ratio is the median of per-round ratios. Then latency at half S1's maximum
 * on a clock (open model), for S1 and for B-naive at the same rate; S1-mariadb's at half its own.
 *
 * S1: 100 lists × 1 subscription, each on its own receiver origin; events round-robin over the
 * lists (1 event → 1 delivery). S1-mariadb: the same on a MariaDB store of its own (database,
 * Bull prefix, emitter and workers), sharing Redis and the receiver's origins.
 *
 * S3 comes after, with S1 still up: see runS3.
 */
export async function runSideBySide(ctx: BenchContext, selection: SideBySideSelection) {
  await ctx.services.resetState();
  const sides: Sides = {};
  try {
    const s1Setup = listsOnFastPorts(ctx, 's1', FAST_PORTS);
    if (selection.s1) await ctx.services.createSubscriptions(s1Setup.targets);
    const [raw, naive, s1Workers, s1Mariadb] = await Promise.all([
      selection.raw ? startRawBaseline(ctx) : undefined,
      selection.naive ? startNaiveBaseline(ctx) : undefined,
      selection.s1 ? startModuleWorkers(ctx, 's1') : undefined,
      selection.s1Mariadb ? startMariaDbSide(ctx) : undefined,
    ]);
    sides.raw = raw;
    sides.naive = naive;
    sides.s1Mariadb = s1Mariadb;
    if (s1Workers) {
      const emitter = producerOf(await ctx.emitter());
      sides.s1 = {
        workers: s1Workers,
        emitter,
        lists: s1Setup.lists,
        rounds: [],
        services: ctx.services,
        listPrefix: 's1-',
      };
    }
    await measureSides(ctx, sides);
    const { raw: rawDone, naive: naiveDone, s1Mariadb: mariaDbDone } = sides;
    sides.raw = sides.naive = sides.s1Mariadb = undefined;
    await Promise.all([
      rawDone?.stop(),
      naiveDone?.stop(),
      mariaDbDone && closeModuleStore(mariaDbDone.store),
    ]);
    if (selection.s3) await runS3(ctx, sides.s1);
  } finally {
    await Promise.all([
      sides.raw?.stop(),
      sides.naive?.stop(),
      sides.s1 ? stopAll(sides.s1.workers) : undefined,
      sides.s1Mariadb && closeModuleStore(sides.s1Mariadb.store),
    ]);
  }
}

/**
 * S1-mariadb's side: S1's lists and origins on a MariaDB store of its own. If MariaDB cannot be
 * reached, the error is recorded and the other sides run without it.
 */
async function startMariaDbSide(ctx: BenchContext): Promise<Sides['s1Mariadb']> {
  const { targets, lists } = listsOnFastPorts(ctx, 's1m', FAST_PORTS);
  try {
    const store = await startModuleStore(ctx, 's1-mariadb', targets, 'mariadb');
    const { services, emitter, workers } = store;
    return { workers, emitter, lists, rounds: [], services, listPrefix: 's1m-', store };
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    ctx.results.errors.push({ scenario: 'S1-mariadb', error: text });
    ctx.log(`S1-mariadb could not start, left out: ${text}`);
    return undefined;
  }
}

/** One saturated round of a producer and its workers, with the workers' Bull job counters. */
async function saturatedRound(
  ctx: BenchContext,
  producer: Producer,
  lists: LoadList[],
  workers: ReadonlyArray<BenchChild<WorkerApi>>,
  durationMs: number,
  database: BenchDatabase = 'postgres',
): Promise<ThroughputResult> {
  const result = await measureSaturated(ctx, producer, lists, durationMs, { workers, database });
  result.worker = await workerCounters(workers);
  return result;
}

/** A module side's saturated round of this run. */
function moduleRound(ctx: BenchContext, side: ModuleSide): Promise<ThroughputResult> {
  return saturatedRound(
    ctx,
    side.emitter,
    side.lists,
    side.workers,
    ctx.durations.s1ThroughputMs,
    side.services.database,
  );
}

/** A module side's figures once its rounds are done: median round, ratios, attempts, latency. */
async function moduleSideResult(
  ctx: BenchContext,
  side: ModuleSide,
  baselines: { naiveRates: number[]; rawRates: number[] },
): Promise<S1Result> {
  const rates = side.rounds.map(rate);
  const throughput = medianBy(side.rounds, rate);
  const latency = await measureOpenLoop(
    ctx,
    side.emitter,
    side.lists,
    halfRate(throughput.deliveriesPerSec),
    ctx.durations.s1LatencyMs,
  );
  const { naiveRates, rawRates } = baselines;
  return {
    throughput,
    rounds: rates,
    ratios: {
      vsNaive: naiveRates.length ? medianRatio(rates, naiveRates) : null,
      vsRaw: rawRates.length ? medianRatio(rates, rawRates) : null,
    },
    attempts: await side.services.attemptOutcomes(side.listPrefix),
    latency,
  };
}

async function measureSides(
  ctx: BenchContext,
  { raw, naive, s1, s1Mariadb }: Sides,
): Promise<void> {
  const rawRounds: RawResult[] = [];
  const naiveRounds: ThroughputResult[] = [];
  for (let round = 1; round <= ctx.durations.rounds; round++) {
    const parts: string[] = [];
    if (raw) {
      const result = await raw.measure();
      rawRounds.push(result);
      parts.push(`B-raw ${result.requestsPerSec}/s`);
    }
    if (naive) {
      const result = await saturatedRound(
        ctx,
        naive.producer,
        naive.lists,
        naive.workers,
        ctx.durations.naiveMs,
      );
      naiveRounds.push(result);
      parts.push(`B-naive ${result.deliveriesPerSec}/s`);
    }
    if (s1) {
      const result = await moduleRound(ctx, s1);
      s1.rounds.push(result);
      parts.push(`S1 ${result.deliveriesPerSec}/s`);
    }
    if (s1Mariadb) {
      const result = await moduleRound(ctx, s1Mariadb);
      s1Mariadb.rounds.push(result);
      parts.push(`S1-mariadb ${result.deliveriesPerSec}/s`);
    }
    ctx.log(`round ${round}/${ctx.durations.rounds}: ${parts.join(', ')}`);
  }

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

  const baselines = { naiveRates, rawRates };
  let latencyRate: number | undefined;
  if (s1 && s1.rounds.length > 0) {
    const result = await moduleSideResult(ctx, s1, baselines);
    ctx.results.s1 = result;
    latencyRate = halfRate(result.throughput.deliveriesPerSec);
    logLatency(ctx, 'S1', result);
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
  if (s1Mariadb && s1Mariadb.rounds.length > 0) {
    const result = await moduleSideResult(ctx, s1Mariadb, baselines);
    const s1Rates = s1?.rounds.map(rate) ?? [];
    ctx.results.s1Mariadb = {
      ...result,
      ratios: {
        ...result.ratios,
        vsS1: s1Rates.length ? medianRatio(result.rounds, s1Rates) : null,
      },
      server: await s1Mariadb.services.mariaDbServer(),
    };
    logLatency(ctx, 'S1-mariadb', result);
  }
}

function logLatency(ctx: BenchContext, id: string, { latency }: S1Result): void {
  if (!latency) return;
  ctx.log(
    `${id} at ${latency.targetRatePerSec}/s: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms`,
  );
}

const ISOLATION_WARM_UP_MS = 3_000;

/**
 * A store of its own (database + Bull prefix, on the main store's Redis) with its emitter and
 * workers: each S3 outage, and S1-mariadb.
 */
interface ModuleStore {
  services: BenchServices;
  emitter: Producer;
  emitterChild: BenchChild<EmitterApi>;
  workers: Array<BenchChild<WorkerApi>>;
}

async function startModuleStore(
  ctx: BenchContext,
  label: string,
  targets: readonly SubscriptionTarget[],
  database: BenchDatabase = 'postgres',
): Promise<ModuleStore> {
  const services = await BenchServices.start({ redis: ctx.services.redis, database });
  try {
    await services.createSubscriptions(targets);
    const [workers, emitter] = await Promise.all([
      startModuleWorkers(ctx, label, { services }),
      BenchChild.start<EmitterApi>(
        `${label}-emitter`,
        'bench/lib/emitter.process.ts',
        emitterConfig({ services, asyncCommit: ctx.asyncCommit }),
      ),
    ]);
    return { services, emitter: producerOf(emitter), emitterChild: emitter, workers };
  } catch (error) {
    await services.close();
    throw error;
  }
}

async function closeModuleStore(store: ModuleStore): Promise<void> {
  await stopAll([...store.workers, store.emitterChild]);
  await store.services.close();
}

/**
 * S3: `rounds` saturated runs with 10% of endpoints hanging, each right after an S1 round of the
 * same length, then healthy latency at S1's half-maximum rate right after the last S3 round. The
 * ratio is the median of the per-round ratios: S1 measured minutes earlier moved with the host
 * (76.6% and 107.0% in two consecutive full runs of the same code).
 *
 * Each S3 round is a fresh outage on a store of its own (schema + Bull prefix, emitter and workers,
 * warmed up on the healthy endpoints first), closed before the next S1 round. Once endpoints have
 * hung, a worker keeps loading, parking and leasing their deliveries for minutes, whether or not it
 * takes new jobs: left running (with Bull paused), it slowed the S1 rounds it was compared with by up
 * to a third, which made S3 look better than S1. A store of its own also because workers on one
 * queue take each other's jobs, and a worker's relay re-enqueues every due delivery of its schema.
 */
async function runS3(ctx: BenchContext, s1?: ModuleSide): Promise<void> {
  const setup = isolationSetup(ctx);
  const rounds: ThroughputResult[] = [];
  const s1Rounds: ThroughputResult[] = [];
  const attempts: Record<string, number> = {};
  const jobs: Pick<WorkerInstrumentation, 'jobsCompleted' | 'jobsFailed'> = {
    jobsCompleted: 0,
    jobsFailed: {},
  };
  let hangRequests = 0;
  let store: ModuleStore | undefined;
  const closeStore = async () => {
    if (!store) return;
    const closing = store;
    store = undefined;
    addCounts(attempts, await closing.services.attemptOutcomes('s3-'));
    const counters = await workerCounters(closing.workers);
    jobs.jobsCompleted += counters.jobsCompleted;
    addCounts(jobs.jobsFailed, counters.jobsFailed);
    await closeModuleStore(closing);
  };
  try {
    for (let round = 1; round <= ctx.durations.rounds; round++) {
      await closeStore();
      const parts: string[] = [];
      if (s1) {
        const reference = await saturatedRound(
          ctx,
          s1.emitter,
          s1.lists,
          s1.workers,
          ctx.durations.s3ThroughputMs,
        );
        s1Rounds.push(reference);
        parts.push(`S1 ${reference.deliveriesPerSec}/s`);
      }
      store = await startModuleStore(ctx, 's3', setup.targets);
      // S1's worker is warm; so is this one before its endpoints start hanging.
      await measureSaturated(ctx, store.emitter, setup.healthyLists, ISOLATION_WARM_UP_MS);
      const result = await saturatedRound(
        ctx,
        store.emitter,
        setup.lists,
        store.workers,
        ctx.durations.s3ThroughputMs,
      );
      hangRequests += (await ctx.receiver.stats()).hang.requests;
      rounds.push(result);
      parts.push(`S3 healthy ${result.deliveriesPerSec}/s`);
      ctx.log(`S3 round ${round}/${ctx.durations.rounds}: ${parts.join(', ')}`);
    }
    if (!store) return;
    const throughput = medianBy(rounds, rate);
    const s3Rates = rounds.map(rate);
    const s1Rates = s1Rounds.map(rate);
    const s1Max = ctx.results.s1?.throughput.deliveriesPerSec;
    const latencyRate = halfRate(s1Max ?? throughput.deliveriesPerSec / 0.9);
    const latency = await measureOpenLoop(
      ctx,
      store.emitter,
      setup.lists,
      latencyRate,
      ctx.durations.s3LatencyMs,
    );
    await closeStore();
    ctx.results.s3 = {
      hangingEndpoints: setup.hanging,
      healthyEndpoints: setup.healthy,
      throughput,
      rounds: s3Rates,
      s1Rounds: s1Rates,
      vsS1: s1Rates.length ? medianRatio(s3Rates, s1Rates) : null,
      latency,
      hangRequests,
      attempts,
      worker: jobs,
    };
    ctx.log(
      `S3 healthy at ${latencyRate}/s: p50 ${latency.latency.p50Ms} ms, p99 ${latency.latency.p99Ms} ms`,
    );
  } finally {
    await closeStore();
  }
}

function addCounts(total: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [key, count] of Object.entries(counts)) total[key] = (total[key] ?? 0) + count;
}

const rate = (result: ThroughputResult) => result.deliveriesPerSec;
