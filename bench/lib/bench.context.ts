import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhooksModuleOptions } from '../../src';
import {
  BENCH_MODULE_OPTIONS,
  BENCH_QUEUE_SETTINGS,
  benchModuleOptions,
  SATURATE_CONCURRENCY,
  SATURATE_MAX_BACKLOG,
  EMITTER_PG_POOL,
  OPEN_LOOP_MAX_IN_FLIGHT,
  type BenchDurations,
} from './bench.config';
import {
  TIMELINE_BUCKET_MS,
  type EmitterApi,
  type LoadList,
  type LoadReport,
  type ModuleWorkerApi,
  type OpenLoopParams,
  type ProducerApi,
  type SaturateParams,
  type WorkerApi,
  type WorkerInstrumentation,
} from './child.apis';
import { BenchChild, REPO_ROOT } from './child.handle';
import type { EmitterConfig } from './emitter.process';
import type { RpcApi } from './ipc.rpc';
import type { ReceiverHandle } from './receiver.handle';
import type { BenchResults, LatencyResult, ThroughputResult } from './results.types';
import type { BenchDatabase, BenchServices, SubscriptionTarget } from './services.setup';
import type { WorkerConfig } from './worker.process';
import { machineCpuMs, processCpuMs } from './cpu.monitor';

export const PROFILE_DIR = join(REPO_ROOT, 'bench', 'results', 'profiles');

/** Everything a scenario needs; built once by run.ts. */
export interface BenchContext {
  durations: BenchDurations;
  services: BenchServices;
  receiver: ReceiverHandle;
  workerProcesses: number;
  /** pg pool size of each module worker process. */
  workerPool: number;
  /** V8's old-space limit of each module worker process; null: Node's default. */
  workerHeapMb: number | null;
  /** synchronous_commit=off for the module's PostgreSQL sessions. */
  asyncCommit: boolean;
  results: BenchResults;
  /** The shared API-only host (started on first use, stopped by run.ts). */
  emitter(): Promise<BenchChild<EmitterApi>>;
  log(message: string): void;
}

/** What the load runners need from any producer process. */
export interface Producer {
  pid: number;
  saturate: (params: SaturateParams) => Promise<LoadReport>;
  openLoop: (params: OpenLoopParams) => Promise<LoadReport>;
  received: (count: number) => void;
}

export function producerOf<A extends RpcApi<A> & ProducerApi>(child: BenchChild<A>): Producer {
  // Every producer API extends ProducerApi; the cast only forgets its extra methods.
  const producer = child as unknown as BenchChild<ProducerApi>;
  return {
    pid: child.pid,
    saturate: (params) => producer.call('saturate', params),
    openLoop: (params) => producer.call('openLoop', params),
    received: (count) => producer.notify('received', { count }),
  };
}

export function emitterConfig(
  ctx: Pick<BenchContext, 'services' | 'asyncCommit'>,
  {
    orderingKeys,
    delivers,
    hopTracing,
  }: Pick<EmitterConfig, 'orderingKeys' | 'delivers' | 'hopTracing'> = {},
): EmitterConfig {
  return {
    database: ctx.services.childDatabase,
    redisUrl: ctx.services.redis.url,
    bullPrefix: ctx.services.bullPrefix,
    poolSize: EMITTER_PG_POOL,
    asyncCommit: ctx.asyncCommit,
    options: BENCH_MODULE_OPTIONS,
    ...(orderingKeys !== undefined && { orderingKeys }),
    ...(delivers === true && { delivers }),
    ...(hopTracing && { hopTracing }),
  };
}

export interface WorkerStart {
  /** Another store than ctx.services (S3, S1-mariadb and S1-pruned run on one of their own). */
  services?: BenchServices;
  /** Module options merged over BENCH_MODULE_OPTIONS, group by group (S1-pruned's retention). */
  options?: WebhooksModuleOptions;
  /** Count and time SQL statements. */
  detailed?: boolean;
  /** Write a CPU profile into PROFILE_DIR under this name (without extension). */
  cpuProfileName?: string;
  /** Trace with an OpenTelemetry SDK keeping what H joins (see hop-spans.recorder.ts). */
  hopTracing?: boolean;
}

/** Starts the module's worker-only processes of a scenario (fresh ones each time). */
export async function startModuleWorkers(
  ctx: BenchContext,
  label: string,
  start: WorkerStart = {},
): Promise<Array<BenchChild<ModuleWorkerApi>>> {
  return Promise.all(
    Array.from({ length: ctx.workerProcesses }, (_unused, index) => {
      const name = `${label}-worker-${index + 1}`;
      const services = start.services ?? ctx.services;
      const config: WorkerConfig = {
        name,
        database: services.childDatabase,
        redisUrl: services.redis.url,
        bullPrefix: services.bullPrefix,
        poolSize: ctx.workerPool,
        asyncCommit: ctx.asyncCommit,
        options: benchModuleOptions(start.options),
        queue: BENCH_QUEUE_SETTINGS,
        detailed: start.detailed ?? false,
        ...(start.hopTracing && { hopTracing: true }),
      };
      const nodeFlags: string[] = [];
      if (ctx.workerHeapMb !== null) nodeFlags.push(`--max-old-space-size=${ctx.workerHeapMb}`);
      if (start.cpuProfileName) {
        mkdirSync(PROFILE_DIR, { recursive: true });
        nodeFlags.push(
          '--cpu-prof',
          `--cpu-prof-dir=${PROFILE_DIR}`,
          `--cpu-prof-name=${start.cpuProfileName}-${index + 1}.cpuprofile`,
        );
      }
      return BenchChild.start<ModuleWorkerApi>(name, 'bench/lib/worker.process.ts', config, {
        nodeFlags,
      });
    }),
  );
}

export async function stopAll(children: ReadonlyArray<{ stop(): Promise<void> }>): Promise<void> {
  await Promise.all(children.map((child) => child.stop()));
}

/** Any child that reports worker instrumentation (module workers, naive workers, the SQLite host). */
export interface InstrumentedChild {
  call(method: 'instrumentation'): Promise<WorkerInstrumentation>;
}

/** Sums the job counters of several workers. */
export async function workerCounters(
  workers: readonly InstrumentedChild[],
): Promise<Pick<WorkerInstrumentation, 'jobsCompleted' | 'jobsFailed'>> {
  const reports = await Promise.all(workers.map((worker) => worker.call('instrumentation')));
  const jobsFailed: Record<string, number> = {};
  for (const report of reports) {
    for (const [name, count] of Object.entries(report.jobsFailed))
      jobsFailed[name] = (jobsFailed[name] ?? 0) + count;
  }
  return {
    jobsCompleted: reports.reduce((sum, report) => sum + report.jobsCompleted, 0),
    jobsFailed,
  };
}

/** `count` lists of one subscription each, every one on its own fast receiver port (origin). */
export function listsOnFastPorts(
  ctx: BenchContext,
  prefix: string,
  count: number,
): { targets: SubscriptionTarget[]; lists: LoadList[] } {
  const targets = Array.from({ length: count }, (_unused, index) => ({
    listId: `${prefix}-${index}`,
    url: ctx.receiver.url('fast', index, `${prefix}/${index}`),
  }));
  return { targets, lists: targets.map(({ listId }) => ({ listId, counts: true })) };
}

/** The steady window of a saturated run: after a warm-up of 20% (1 to 5 s), to the end of emitting. */
export function steadyWindow(durationMs: number): [number, number] {
  const warmUp = Math.min(5_000, Math.max(1_000, durationMs * 0.2));
  return [warmUp, durationMs];
}

export function rateIn(timeline: readonly number[], [from, to]: [number, number]): number {
  const first = Math.floor(from / TIMELINE_BUCKET_MS);
  const last = Math.floor(to / TIMELINE_BUCKET_MS);
  let count = 0;
  for (let bucket = first; bucket < last; bucket++) count += timeline[bucket] ?? 0;
  return Math.round((count / ((last - first) * TIMELINE_BUCKET_MS)) * 1000 * 10) / 10;
}

/**
 * Saturated run: reset the receiver, emit as fast as the backlog bound allows for `durationMs`,
 * wait for the backlog to drain, and read the steady-state rate from the receiver's timeline.
 */
export async function measureSaturated(
  ctx: BenchContext,
  producer: Producer,
  lists: LoadList[],
  durationMs: number,
  options: {
    workers?: ReadonlyArray<{ pid: number }>;
    /** The database server whose CPU per delivery is reported (default PostgreSQL). */
    database?: BenchDatabase;
  } = {},
): Promise<ThroughputResult> {
  const workerPids = (options.workers ?? []).map((worker) => worker.pid);
  const cpuBefore = {
    producer: processCpuMs(producer.pid),
    workers: workerPids.map(processCpuMs),
    machine: machineCpuMs(),
  };
  await ctx.receiver.reset();
  const unrelay = ctx.receiver.relayTo((count) => producer.received(count));
  let report: LoadReport;
  try {
    report = await producer.saturate({
      lists,
      durationMs,
      concurrency: SATURATE_CONCURRENCY,
      maxBacklog: SATURATE_MAX_BACKLOG,
    });
  } finally {
    unrelay();
  }
  const drainStart = performance.now();
  const complete = await ctx.receiver.waitForFast(report.counted, ctx.durations.drainTimeoutMs);
  const drainMs = Math.round(performance.now() - drainStart);
  const stats = await ctx.receiver.stats();
  const producerCpuMs = processCpuMs(producer.pid) - cpuBefore.producer;
  const workerCpuMs = workerPids.reduce(
    (sum, pid, index) => sum + processCpuMs(pid) - cpuBefore.workers[index],
    0,
  );
  const machineAfter = machineCpuMs();
  const perDelivery = (ms: number) =>
    stats.fast.unique === 0 ? null : Math.round((ms / stats.fast.unique) * 1000) / 1000;
  const server = (name: BenchDatabase) =>
    (options.database ?? 'postgres') === name
      ? perDelivery(machineAfter[name] - cpuBefore.machine[name])
      : null;
  const window = steadyWindow(durationMs);
  const deliveriesPerSec = rateIn(stats.fast.timeline, window);
  const emitPerSec = (report.counted / report.elapsedMs) * 1000;
  // After emitting stops, the worker has the machine to itself until the backlog is gone.
  const drainWindow: [number, number] = [durationMs + 500, (stats.fast.lastMs ?? 0) - 100];
  return {
    deliveriesPerSec,
    windowMs: window,
    drainPerSec:
      drainWindow[1] - drainWindow[0] >= 1_000 ? rateIn(stats.fast.timeline, drainWindow) : null,
    endToEndPerSec:
      stats.fast.lastMs === null
        ? 0
        : Math.round((stats.fast.unique / stats.fast.lastMs) * 1000 * 10) / 10,
    emitted: report.emitted,
    expected: report.counted,
    delivered: stats.fast.unique,
    duplicates: stats.fast.duplicates,
    complete,
    drainMs,
    // Callers that spent a tenth of the run waiting for the backlog to shrink were held back by the
    // workers: deliveries then match emits, but the workers set the pace.
    producerBound:
      deliveriesPerSec >= 0.9 * emitPerSec && report.backlogWaitMs < 0.1 * report.elapsedMs,
    backlogWaitShare: Math.round((report.backlogWaitMs / report.elapsedMs) * 100) / 100,
    emitPerSec: Math.round(emitPerSec * 10) / 10,
    emitFailures: report.failed,
    firstEmitError: report.firstError,
    emitCall: report.emitCall,
    cpuMsPerDelivery: {
      producer: perDelivery(producerCpuMs),
      workers: workerPids.length === 0 ? null : perDelivery(workerCpuMs),
      postgres: server('postgres'),
      mariadb: server('mariadb'),
      machine: perDelivery(machineAfter.busy - cpuBefore.machine.busy),
    },
    worker: null,
  };
}

/** A producer, the lists it emits to and the workers delivering them. */
export interface LoadedSide {
  producer: Producer;
  lists: LoadList[];
  workers: ReadonlyArray<BenchChild<WorkerApi>>;
}

/** One saturated round of a side, with its workers' Bull job counters. */
export async function saturatedRound(
  ctx: BenchContext,
  { producer, lists, workers }: LoadedSide,
  durationMs: number,
  database: BenchDatabase = 'postgres',
): Promise<ThroughputResult> {
  await ctx.services.checkpoint();
  const result = await measureSaturated(ctx, producer, lists, durationMs, { workers, database });
  result.worker = await workerCounters(workers);
  return result;
}

const LATENCY_WARM_UP_MS = 3_000;

/** Open-loop run at a fixed rate: latency of the fast deliveries, emit (scheduled) → receive. */
export async function measureOpenLoop(
  ctx: BenchContext,
  producer: Producer,
  lists: LoadList[],
  ratePerSec: number,
  durationMs: number,
  /** Runs once the warm-up is delivered, right before the measured run (H clears its spans). */
  afterWarmUp?: () => Promise<void>,
): Promise<LatencyResult> {
  // A checkpoint, then a short run at the same rate, not measured: the first seconds after the
  // previous scenario (its drain, PostgreSQL writing back and vacuuming the rows it wrote) are not
  // this rate's latency. A checkpoint due to WAL volume fell in S1's latency run, right after the
  // saturated rounds, and doubled its p50 beside the sides measured after it at the same rate.
  await ctx.services.checkpoint();
  await ctx.receiver.reset();
  const warmUp = await producer.openLoop({
    lists,
    ratePerSec,
    durationMs: LATENCY_WARM_UP_MS,
    maxInFlight: OPEN_LOOP_MAX_IN_FLIGHT,
  });
  await ctx.receiver.waitForFast(warmUp.counted, ctx.durations.drainTimeoutMs);
  await ctx.receiver.reset();
  await afterWarmUp?.();
  const report = await producer.openLoop({
    lists,
    ratePerSec,
    durationMs,
    maxInFlight: OPEN_LOOP_MAX_IN_FLIGHT,
  });
  const complete = await ctx.receiver.waitForFast(report.counted, ctx.durations.drainTimeoutMs);
  const stats = await ctx.receiver.stats();
  return {
    targetRatePerSec: ratePerSec,
    achievedRatePerSec: Math.round((report.emitted / report.elapsedMs) * 1000 * 10) / 10,
    emitted: report.emitted,
    expected: report.counted,
    delivered: stats.fast.unique,
    duplicates: stats.fast.duplicates,
    complete,
    latency: stats.fast.latency,
    maxEmitterLagMs: report.maxLagMs,
    emitCall: report.emitCall,
  };
}

/** Half the measured maximum, rounded down to a multiple of 10 events/s (at least 10). */
export function halfRate(deliveriesPerSec: number): number {
  const fixed = Number(process.env.BENCH_LATENCY_RATE);
  if (fixed > 0) return fixed;
  return Math.max(10, Math.floor(deliveriesPerSec / 2 / 10) * 10);
}
