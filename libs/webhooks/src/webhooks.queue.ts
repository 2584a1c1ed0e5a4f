import type { BullModuleOptions } from '@nestjs/bull';
import { WEBHOOKS_QUEUE } from './webhooks.constants';

/**
 * Bull settings chosen on purpose. Retries of a receiver's failures are scheduled by the processor
 * (its own schedule, jitter, Retry-After); Bull's `attempts` only covers infrastructure errors such as
 * a lost database connection. The lock outlives the longest request so a busy worker's job is not
 * taken for stalled and sent twice; a job that does stall is retried once.
 */
export const webhooksQueueOptions: BullModuleOptions = {
  name: WEBHOOKS_QUEUE,
  defaultJobOptions: {
    removeOnComplete: true,
    removeOnFail: true,
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
  },
  settings: {
    lockDuration: 60_000,
    stalledInterval: 30_000,
    maxStalledCount: 1,
  },
};
