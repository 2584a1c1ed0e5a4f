/** B-naive: what a Nest user writes by hand. One Bull job per delivery, everything in the job. */
export const NAIVE_QUEUE = 'bench-naive-webhooks';
export const NAIVE_DELIVER_JOB = 'deliver';

export interface NaiveDeliveryJob {
  /** The `webhook-id`. */
  id: string;
  url: string;
  secret: string;
  listId: string;
  data: Record<string, unknown>;
}

export interface NaiveConfig {
  redisUrl: string;
  bullPrefix: string;
  concurrency: number;
  connectionsPerOrigin: number;
  requestTimeoutMs: number;
}
