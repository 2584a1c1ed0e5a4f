import type { WebhooksModuleOptions, WebhooksQueueSettings } from '../../src';

/**
 * The module as the bench runs it. Only what a loopback benchmark needs differs from the defaults:
 * private receivers allowed, a short request timeout (S3's hanging endpoints), a short retry
 * schedule, and 10,000 subscriptions allowed on one list (S2). Concurrency (50), per-origin limits
 * (5 in flight, 10 sockets) and the relay interval (10 s) are the defaults.
 */
export const BENCH_MODULE_OPTIONS = {
  security: { allowPrivateNetworks: true },
  delivery: { concurrency: 50, requestTimeoutMs: 2_000 },
  retries: { schedule: [1_000, 5_000, 30_000] },
  limits: { maxSubscriptionsPerList: 10_000 },
} satisfies WebhooksModuleOptions;

export const BENCH_QUEUE_SETTINGS: WebhooksQueueSettings = {};

/** BENCH_MODULE_OPTIONS with `overrides` merged over it, group by group. */
export function benchModuleOptions(overrides: WebhooksModuleOptions = {}): WebhooksModuleOptions {
  const merged: Record<string, unknown> = { ...BENCH_MODULE_OPTIONS };
  const isGroup = (value: unknown): value is object =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  for (const [group, value] of Object.entries(overrides)) {
    const base = merged[group];
    merged[group] = isGroup(base) && isGroup(value) ? { ...base, ...value } : value;
  }
  return merged;
}

/**
 * S1-pruned's workers: settled (and failed) events kept 2 s, pruned every second, so that pruning
 * deletes a round's own rows while it is measured. `batchSize` stays at the library's default (500).
 */
export const PRUNED_RETENTION = {
  settledAfterMs: 2_000,
  failedAfterMs: 2_000,
  pruneEveryMs: 1_000,
} satisfies WebhooksModuleOptions['retention'];

/** Sockets per pg pool in each worker process (node-postgres' default is 10). */
export const WORKER_PG_POOL = 10;
/** The emitter's pool: emits share batches (group commit), so a few connections serve 64 callers. */
export const EMITTER_PG_POOL = 20;

/** Receiver ports: one origin per subscription in S1/S3/S6/S9 and the baselines. */
export const FAST_PORTS = 100;
export const HANG_PORTS = 10;

export interface BenchDurations {
  /** Rounds of B-raw, B-naive and S1 measured back to back. */
  rounds: number;
  rawMs: number;
  naiveMs: number;
  s1ThroughputMs: number;
  s1LatencyMs: number;
  s3ThroughputMs: number;
  s3LatencyMs: number;
  s6Ms: number;
  s6SampleEveryMs: number;
  s9Ms: number;
  /** IN: how long the sender posts to the inbound endpoint. */
  inboundMs: number;
  /** S2: subscriptions on the fan-out list. */
  s2Subscriptions: number;
  /** How long the bench waits for a backlog to drain or a fan-out to finish. */
  drainTimeoutMs: number;
}

export const QUICK: BenchDurations = {
  rounds: 1,
  rawMs: 2_000,
  naiveMs: 3_000,
  s1ThroughputMs: 5_000,
  s1LatencyMs: 4_000,
  s3ThroughputMs: 4_000,
  s3LatencyMs: 4_000,
  s6Ms: 8_000,
  s6SampleEveryMs: 500,
  s9Ms: 4_000,
  inboundMs: 5_000,
  s2Subscriptions: 2_000,
  drainTimeoutMs: 60_000,
};

export const FULL: BenchDurations = {
  rounds: 3,
  rawMs: 5_000,
  naiveMs: 8_000,
  s1ThroughputMs: 15_000,
  s1LatencyMs: 20_000,
  s3ThroughputMs: 15_000,
  s3LatencyMs: 20_000,
  s6Ms: 120_000,
  s6SampleEveryMs: 1_000,
  s9Ms: 15_000,
  inboundMs: 15_000,
  s2Subscriptions: 10_000,
  drainTimeoutMs: 120_000,
};

/**
 * Emit callers in saturate mode (the same for B-naive and S1: an API serving 64 requests at once),
 * and the backlog bound that keeps the pipeline full but finite.
 */
export const SATURATE_CONCURRENCY = 64;
export const SATURATE_MAX_BACKLOG = 1_000;
/** Emit calls in flight allowed to an open-loop clock before it is declared lagging. */
export const OPEN_LOOP_MAX_IN_FLIGHT = 500;
