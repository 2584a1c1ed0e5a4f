import type { BullModuleOptions } from '@nestjs/bull';
import { DELIVERY_BACKOFF, WEBHOOKS_QUEUE } from './webhooks.constants';

const MAX_BACKOFF_MS = 30_000;
const MAX_SOON_BACKOFF_MS = 4_000;

/** Thrown by the processor to have Bull run the same job again shortly (see `deliveryBackoff`). */
export class RetrySoonError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetrySoonError';
  }
}

/**
 * How long Bull waits before re-running a job that threw. Receiver failures never throw (the
 * processor records them and schedules its own retry); what throws is a race that settles at once
 * (`RetrySoonError`), which comes back within seconds, or an infrastructure error such as a lost
 * database connection, which backs off exponentially.
 */
export function deliveryBackoff(attemptsMade: number, error?: Error): number {
  const soon = error instanceof RetrySoonError;
  // The relay cannot step in while the job exists: waiting longer would only delay the delivery.
  const cap = soon ? MAX_SOON_BACKOFF_MS : MAX_BACKOFF_MS;
  const delay = Math.min(cap, (soon ? 250 : 1_000) * 2 ** Math.min(attemptsMade, 10));
  return Math.round(delay * (0.5 + Math.random() / 2));
}

/**
 * Bull settings chosen on purpose: jobs carry ids only and are removed once done (the database keeps
 * the history); the lock outlives the longest request, so a busy worker's job is not taken for stalled
 * and sent twice, and a job that does stall is retried once.
 */
export interface WebhooksQueueSettings {
  /** How long a worker's lock on a job lasts; keep it above `delivery.requestTimeoutMs`. Default: 60 s. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died (lock expired). Default: 30 s. */
  stalledIntervalMs?: number;
}

/** The delivery queue's options; the inbound queue (`name`) is registered with the same ones. */
export function webhooksQueueOptions(
  settings: WebhooksQueueSettings = {},
  name = WEBHOOKS_QUEUE,
): BullModuleOptions {
  return {
    name,
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: true,
      attempts: 1_000,
      backoff: { type: DELIVERY_BACKOFF },
    },
    settings: {
      lockDuration: settings.lockDurationMs ?? 60_000,
      stalledInterval: settings.stalledIntervalMs ?? 30_000,
      maxStalledCount: 1,
      backoffStrategies: { [DELIVERY_BACKOFF]: deliveryBackoff },
    },
  };
}
