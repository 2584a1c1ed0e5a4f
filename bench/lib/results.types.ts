import type { ContentFilter } from '../../src';
import type { BenchDurations } from './bench.config';
import type { CommitProbeSnapshot } from './commit.probe';
import type { CpuShare } from './cpu.monitor';
import type { WorkerInstrumentation } from './child.apis';
import type { ProfileSummary } from './cpu-profile.analysis';
import type { LatencySummary } from './histogram.util';
import type { MemorySummary } from './memory.sampler';

export interface ThroughputResult {
  /** Distinct deliveries received per second in the steady window (warm-up excluded). */
  deliveriesPerSec: number;
  /** The steady window, ms since the receiver was reset. */
  windowMs: [number, number];
  /** Rate while the backlog drained after emitting stopped (the workers alone), when long enough. */
  drainPerSec: number | null;
  /** All deliveries over the time from the first emit to the last arrival (includes the drain). */
  endToEndPerSec: number;
  emitted: number;
  /** Emitted events expected at the fast ports (the healthy 90% in S3). */
  expected: number;
  delivered: number;
  duplicates: number;
  /** Every expected delivery arrived before the drain timeout. */
  complete: boolean;
  drainMs: number;
  /** Events emitted per second (counted ones) while emitting. */
  emitPerSec: number;
  /**
   * Deliveries kept up with emits (≥ 90%) and emit callers seldom waited for the backlog bound: the
   * figure is the producer's rate, not the workers' limit.
   */
  producerBound: boolean;
  /** Share of the run the emit callers spent waiting for the backlog to shrink (workers behind). */
  backlogWaitShare: number;
  emitFailures: number;
  firstEmitError: string | null;
  emitCall: LatencySummary;
  /**
   * CPU time (user + system, from /proc, 10 ms ticks) per delivery over the run, drain included: of
   * the producer process (emit path), of all worker processes (delivery path), of the database
   * server the run used (every `postgres`, or every `mariadbd` process; the other one is null), and
   * of the whole machine busy (receiver, Redis and anything else included).
   */
  cpuMsPerDelivery: {
    producer: number | null;
    workers: number | null;
    postgres: number | null;
    mariadb: number | null;
    machine: number | null;
  };
  worker: Pick<WorkerInstrumentation, 'jobsCompleted' | 'jobsFailed'> | null;
}

export interface LatencyResult {
  targetRatePerSec: number;
  achievedRatePerSec: number;
  emitted: number;
  expected: number;
  delivered: number;
  duplicates: number;
  complete: boolean;
  /** emit (scheduled time) → receive, of the fast deliveries. */
  latency: LatencySummary;
  maxEmitterLagMs: number;
  emitCall: LatencySummary;
}

export interface RawResult {
  requestsPerSec: number;
  requests: number;
  errors: number;
  firstError: string | null;
  roundTrip: LatencySummary;
  /** emit → receive as the receiver measured it. */
  receiveLatency: LatencySummary;
}

export interface FanOutResult {
  subscriptions: number;
  createMs: number;
  /** Time the `emit` call took (fan-out rows + jobs written). */
  emitMs: number;
  delivered: number;
  duplicates: number;
  /** emit → first / median / last delivery. */
  firstMs: number;
  medianMs: number;
  timeToLastMs: number;
  complete: boolean;
  rssBaselineMb: number;
  rssPeakMb: number;
  rssGrowthMb: number;
  redisPeakMb: number;
  worker: Pick<WorkerInstrumentation, 'jobsCompleted' | 'jobsFailed'> | null;
}

export interface IsolationResult {
  hangingEndpoints: number;
  healthyEndpoints: number;
  /** The median round (healthy deliveries), and every round's rate. */
  throughput: ThroughputResult;
  rounds: number[];
  /** S1 rounds of the same length, each measured right before an S3 round (no S3 process running). */
  s1Rounds: number[];
  /** Median of the per-round ratios S3 / S1 (rounds and s1Rounds); null without S1. */
  vsS1: number | null;
  latency: LatencyResult | null;
  /** Requests that reached the hanging endpoints (first tries and retries). */
  hangRequests: number;
  /** Every attempt recorded in the database for S3's lists, by error kind ('ok' = 2xx). */
  attempts: Record<string, number>;
  worker: Pick<WorkerInstrumentation, 'jobsCompleted' | 'jobsFailed'> | null;
}

export interface MemoryResult {
  ratePerSec: number;
  durationMs: number;
  delivered: number;
  complete: boolean;
  latency: LatencySummary;
  workerRss: MemorySummary;
  redisUsedMemory: MemorySummary;
}

export interface ProfileResult {
  throughput: ThroughputResult;
  profiles: Array<{
    process: string;
    file: string;
    /** CPU time the process really used (from /proc), and what the profiler saw as not idle. */
    cpuMs: number;
    sampledBusyMs: number;
    summary: ProfileSummary;
  }>;
  /** Per delivery: SQL statements by text, with mean time (worker side). */
  queriesPerDelivery: Array<{ sql: string; perDelivery: number; meanMs: number }>;
  /** Per delivery: Redis commands (emitter and worker together), from INFO commandstats. */
  redisCommandsPerDelivery: Record<string, number>;
  pool: WorkerInstrumentation['pool'];
}

/** IN: signed Standard Webhooks requests posted to one inbound endpoint, received and processed. */
export interface InboundResult {
  senders: number;
  durationMs: number;
  /** 2xx answers per second over the phase, and the median B-raw round's ratio (null without it). */
  acceptedPerSec: number;
  vsRaw: number | null;
  accepted: number;
  errors: number;
  firstError: string | null;
  /** Request start → response end, as the sender saw it (2xx only). */
  acknowledgement: LatencySummary;
  /** Rows in the inbox for the endpoint (each event id is unique there) and how many were processed. */
  stored: number;
  processed: number;
  /** Calls its no-op handler received. */
  handlerCalls: number;
  /** From the phase's end until every stored event was processed; null if not within the wait. */
  drainMs: number | null;
  /** CPU time of the host process (receive + process) per accepted request, ms. */
  hostCpuMsPerRequest: number | null;
}

export interface TargetResult {
  id: string;
  target: string;
  figure: string;
  status: 'PASS' | 'MISS' | 'n/a';
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  date: string;
  loadAverageAtStart: number[];
}

/** S1's figures: its median round, every round, ratios, attempts recorded and latency. */
export interface S1Result {
  /** The median round. */
  throughput: ThroughputResult;
  rounds: number[];
  /** Medians of the per-round ratios (S1 and the baseline measured back to back). */
  ratios: { vsNaive: number | null; vsRaw: number | null; vsPersisted: number | null };
  /** Every attempt recorded in the database for S1's lists, by error kind ('ok' = 2xx). */
  attempts: Record<string, number>;
  /** At half the median round's rate (open model). */
  latency?: LatencyResult;
  /** Bull jobs added to its store's delivery queue per delivery (S1 and S1-local). */
  bullJobs?: BullJobsPerDelivery;
}

/** S1 on a store of its own, its rounds alternating with those of B-raw, B-naive and S1. */
export interface S1StoreResult extends S1Result {
  /** vsS1: median of the per-round ratios to S1 (on PostgreSQL, the main store) of the same round. */
  ratios: S1Result['ratios'] & { vsS1: number | null };
}

/** S1 on MariaDB. */
export interface S1MariaDbResult extends S1StoreResult {
  server: { version: string; flushLogAtTrxCommit: number } | null;
}

/** B-persisted's schema counted after its last (latency) run. */
export interface PersistedRows {
  events: number;
  /** Deliveries by status (pending, delivered, failed). */
  deliveries: Record<string, number>;
  /** Attempts by outcome: 'ok' (2xx) or 'error'. */
  attempts: Record<string, number>;
}

/** Rows of the delivery history in a store. */
export interface HistoryRows {
  events: number;
  deliveries: number;
  attempts: number;
}

/** What pruning had done by the end of one S1-pruned round, counted in its schema. */
export interface PruningRound {
  /** Events in its schema when the round started (left over from the one before) and emitted by it. */
  eventsBefore: number;
  eventsEmitted: number;
  /** History left right after the round (its drain included). */
  left: HistoryRows;
  /** Share of those events (before + emitted) that pruning had deleted by then. */
  deletedShare: number;
  /** When the history was empty again after the round, ms; null if not within the wait. */
  emptyAfterMs: number | null;
}

/**
 * S1 on PostgreSQL with its workers pruning the history beside it (retention in seconds): issue
 * 18's "pruning never slows the hot path". `attempts` are those left at the end of its latency run.
 */
export interface S1PrunedResult extends S1StoreResult {
  retention: { settledAfterMs: number; failedAfterMs: number; pruneEveryMs: number };
  pruning: PruningRound[];
}

/** Subscriptions with and without a content filter in a store, and the deliveries each kind got. */
export interface FilterCounts {
  /** filtered: with a filter; withJsonPath: with the SQL/JSON path PostgreSQL's fan-out evaluates. */
  subscriptions: { total: number; filtered: number; withJsonPath: number };
  /** Events in the store (each one fanned out past every subscription of its list). */
  events: number;
  deliveries: { unfiltered: number; filtered: number };
}

/**
 * S1 on PostgreSQL with a second, filtered subscription on each list, whose filter never matches
 * the bench's data: issue 21's "filtering must not cost the emit path".
 */
export interface S1FilteredResult extends S1StoreResult {
  /** The filter of the second subscription of each list. */
  filter: ContentFilter;
  /** Its lists (each with one unfiltered and one filtered subscription). */
  lists: number;
  /** Counted in its schema once set up, and after its last (latency) run. */
  atSetup: FilterCounts;
  atEnd: FilterCounts;
}

/** The deliveries of a store, with and without an ordering key, and how they ended. */
export interface OrderingCounts {
  /** Events in the store. */
  events: number;
  deliveries: number;
  /** Deliveries with a non-null orderingKey, and how many distinct keys they have. */
  keyed: number;
  keys: number;
  /** Deliveries by status (succeeded, pending, failed, exhausted, held, cancelled). */
  byStatus: Record<string, number>;
}

/**
 * S1 on PostgreSQL with an ordering key on every event (one per contact, many keys): issue 22's
 * "pacing and ordering must not cost the unordered path", S1 with and without keys side by side.
 */
export interface S1OrderedResult extends S1StoreResult {
  /** Distinct keys its emitter cycles through (`contact-${seq % orderingKeys}`). */
  orderingKeys: number;
  /** Counted in its schema after its last (latency) run, once no delivery was pending. */
  atEnd: OrderingCounts;
}

/** Jobs added to a store's delivery queue (Bull's job-id counter) and deliveries made meanwhile. */
export interface BullJobCount {
  jobsAdded: number;
  deliveries: number;
  /** null without deliveries. */
  perDelivery: number | null;
}

/**
 * A side's Bull jobs per delivery, over its saturated rounds and over its latency run (warm-up
 * included): each first attempt a process runs itself is a delivery without a job.
 */
export interface BullJobsPerDelivery {
  rounds: BullJobCount;
  latency: BullJobCount;
}

/**
 * S1 on PostgreSQL whose emitter is a worker too: the first attempts of its emits run in it, right
 * after they commit, without a Bull job (`delivery.localFirstAttempts`, up to its concurrency); the
 * rest, retries and relayed ones go through Bull to it and to its worker process.
 */
export interface S1LocalResult extends S1StoreResult {
  bullJobs: BullJobsPerDelivery;
}

/** H: one hop of a delivery, from the spans, per delivery joined. */
export type HopName = 'write' | 'enqueue' | 'pickupAndLoad' | 'request' | 'sum';

export interface HopBreakdownResult {
  /** The open-loop run the spans came from (S1's latency phase at this rate). */
  latency: LatencyResult;
  /** First attempts whose emit and hand-off spans were found. */
  joined: number;
  spans: { emits: number; handOffs: number; attempts: number; dropped: number; retries: number };
  /** Attempts left out of the join, by what was not found. */
  missing: { emit: number; handOff: number; arrival: number };
  /** Per hop; `sum` = emit start → attempt end, the hops' total per delivery. */
  hops: Record<HopName, LatencySummary>;
  /** Per hop, deliveries whose hop came out negative (recorded as 0: clocks or span ends out of order). */
  negative: Record<HopName, number>;
  /** emit start → first arrival at the receiver, and attempt start → arrival. */
  toArrival: LatencySummary;
  attemptToArrival: LatencySummary;
}

export interface BenchResults {
  machine: MachineInfo;
  mode: 'quick' | 'full';
  workerProcesses: number;
  workerPgPool: number;
  /** --worker-heap-mb: V8's old-space limit of the module's worker processes; null: Node's default. */
  workerHeapMb: number | null;
  childrenRunAs: string;
  /** false with --async-commit (synchronous_commit=off for the module's sessions). */
  synchronousCommit: boolean;
  durations: BenchDurations;
  moduleOptions: Record<string, unknown>;
  notes: string[];
  baselines: {
    /** The median round, and every round's rate. */
    raw?: RawResult;
    rawRounds?: number[];
    naive?: ThroughputResult;
    naiveRounds?: number[];
    naiveLatency?: LatencyResult;
    /** B-persisted: its median round, every round's rate, latency at half its own maximum. */
    persisted?: ThroughputResult;
    persistedRounds?: number[];
    persistedLatency?: LatencyResult;
    persistedRows?: PersistedRows;
  };
  s1?: S1Result;
  s1Mariadb?: S1MariaDbResult;
  s1Pruned?: S1PrunedResult;
  s1Filtered?: S1FilteredResult;
  s1Ordered?: S1OrderedResult;
  s1Local?: S1LocalResult;
  s2?: FanOutResult;
  s3?: IsolationResult;
  s6?: MemoryResult;
  s9?: { defaultJournal: ThroughputResult; wal: ThroughputResult };
  inbound?: InboundResult;
  profile?: ProfileResult;
  s1Hops?: HopBreakdownResult;
  /** Per scenario: who used the CPU, and PostgreSQL commit latency seen by a probe (disk health). */
  environment: Record<string, { cpu: CpuShare; commit: CommitProbeSnapshot }>;
  targets: TargetResult[];
  errors: Array<{ scenario: string; error: string }>;
}
