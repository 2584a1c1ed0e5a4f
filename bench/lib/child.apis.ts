/**
 * What each child process of the bench offers over IPC (see ipc.rpc.ts). Types only: the parent
 * imports this file, never the child entry points themselves.
 */
import type { LatencySummary } from './histogram.util';

// ---- receiver -------------------------------------------------------------------------------

/** `fast` ports answer 204 at once; `hang` ports read the request and never answer. */
export type PortClass = 'fast' | 'hang';

/** Width of one timeline bucket of the receiver, in ms. */
export const TIMELINE_BUCKET_MS = 100;

export interface ClassStats {
  requests: number;
  /** Distinct `webhook-id`s. */
  unique: number;
  /** Requests whose `webhook-id` had already arrived (retries, double sends). */
  duplicates: number;
  /** First and last arrival of a new id, in ms since the last reset. */
  firstMs: number | null;
  lastMs: number | null;
  /** emit → receive of each id's first arrival. */
  latency: LatencySummary;
  /** New ids per TIMELINE_BUCKET_MS since the last reset. */
  timeline: number[];
}

export interface ReceiverStats {
  resetAtWallMs: number;
  fast: ClassStats;
  hang: ClassStats;
  /** Requests whose body had no `data.emittedAt`. */
  missingTimestamps: number;
}

export interface ReceiverProgress {
  fast: number;
  hang: number;
}

export type ReceiverApi = {
  listen(params: { fast: number; hang: number }): Promise<{ fast: number[]; hang: number[] }>;
  reset(): { resetAtWallMs: number };
  stats(): ReceiverStats;
  /** Each distinct fast `webhook-id` (delivery id) since the last reset, with its first arrival (epoch ms). */
  fastArrivals(): Array<[deliveryId: string, arrivalMs: number]>;
  shutdown(): void;
};

// ---- producers: module emitter, naive producer, SQLite host ---------------------------------

/** Where events go, round-robin. `counts`: whether its deliveries count toward the backlog bound. */
export interface LoadList {
  listId: string;
  counts: boolean;
  /** Naive producer only: the receiver URL and secret of the list's one subscription. */
  url?: string;
  secret?: string;
}

export interface SaturateParams {
  lists: LoadList[];
  durationMs: number;
  /** Concurrent emit calls. */
  concurrency: number;
  /** Emitting pauses while this many counted events are emitted but not yet received. */
  maxBacklog: number;
}

export interface OpenLoopParams {
  lists: LoadList[];
  ratePerSec: number;
  durationMs: number;
  /** Emit calls allowed in flight before the clock is declared lagging. */
  maxInFlight: number;
}

export interface LoadReport {
  mode: 'saturate' | 'open-loop';
  emitted: number;
  /** Emitted events whose list counts (the healthy ones in S3). */
  counted: number;
  failed: number;
  firstError: string | null;
  elapsedMs: number;
  /** Duration of each emit call as the host sees it. */
  emitCall: LatencySummary;
  /** Open loop: how late the emitter was on its own schedule, worst case. */
  maxLagMs: number;
  /** Saturate: time spent waiting for the backlog to shrink. */
  backlogWaitMs: number;
}

export type ProducerApi = {
  saturate(params: SaturateParams): Promise<LoadReport>;
  openLoop(params: OpenLoopParams): Promise<LoadReport>;
  /** Progress from the receiver: counted deliveries received since the run started. */
  received(params: { count: number }): void;
  shutdown(): Promise<void>;
};

// ---- H: spans of the module's emitter and worker, kept by hop-spans.recorder.ts ------------------

/** Times in epoch ms as wallClockMs() gives them (performance.timeOrigin + performance.now()). */
export interface HopSpans {
  /** `webhooks.emit` spans. */
  emits: Array<[emitSpanId: string, startMs: number, endMs: number]>;
  /** `webhooks.hand_off` spans: one entry per emit whose deliveries it handed to Redis. */
  handOffs: Array<[emitSpanId: string, endMs: number]>;
  /** First attempts (`POST`), with the emit span they link to. */
  attempts: Array<[deliveryId: string, emitSpanId: string, startMs: number, endMs: number]>;
  /** Spans not kept: over the recorder's bound, or attempts without a delivery id or link. */
  dropped: number;
  /** Attempts after a first one (retries): not joined. */
  laterAttempts: number;
}

export type HopSpansApi = {
  /** The spans kept since the last take or clear. */
  takeHopSpans(): HopSpans;
  clearHopSpans(): void;
};

export type EmitterApi = ProducerApi &
  HopSpansApi & {
    /** Emits one event to `listId` and reports how long `emit` took and how many deliveries it made. */
    fanOut(params: {
      listId: string;
      seq: number;
    }): Promise<{ emitMs: number; deliveries: number }>;
  };

// ---- workers --------------------------------------------------------------------------------

export interface QueryStat {
  /** The SQL text (placeholders, not values), whitespace collapsed. */
  sql: string;
  count: number;
  /** Sum of TypeORM's measured execution times (ms, after a pooled connection was obtained). */
  totalMs: number;
}

export interface WorkerInstrumentation {
  jobsCompleted: number;
  /** Bull `failed` events by error name (RetrySoonError = a passing race; others = infrastructure). */
  jobsFailed: Record<string, number>;
  queries: QueryStat[];
  /** pg pool occupancy sampled every 20 ms (PostgreSQL workers only). */
  pool: { samples: number; meanWaiting: number; maxWaiting: number; meanBusy: number } | null;
}

export type WorkerApi = {
  instrumentation(): WorkerInstrumentation;
  resetInstrumentation(): void;
  shutdown(): Promise<void>;
};

/** A worker process of the module (worker.process.ts). */
export type ModuleWorkerApi = WorkerApi & HopSpansApi;

export type SqliteHostApi = ProducerApi &
  WorkerApi & {
    createSubscriptions(params: { lists: Array<{ listId: string; url: string }> }): Promise<void>;
  };

// ---- B-raw ----------------------------------------------------------------------------------

export interface RawRunParams {
  urls: string[];
  secret: string;
  durationMs: number;
  concurrency: number;
  connectionsPerOrigin: number;
  /**
   * How requests are signed: the library's own function (B-raw), or the `standardwebhooks` package
   * (IN, posting to an inbound endpoint whose secret is `whsec_…`).
   */
  signer?: 'module' | 'standardwebhooks';
}

export interface RawReport {
  requests: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  /** Request round trip as the client sees it. */
  roundTrip: LatencySummary;
}

export type RawClientApi = {
  run(params: RawRunParams): Promise<RawReport>;
  shutdown(): void;
};

// ---- IN: the inbound host ---------------------------------------------------------------------

export type InboundHostApi = {
  /** Where it listens: `http://127.0.0.1:<port>`. */
  origin(): string;
  /** Calls its no-op `@OnInboundWebhook()` handler received. */
  handlerCalls(): number;
  shutdown(): Promise<void>;
};
