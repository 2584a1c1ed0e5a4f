import type { InboundAttemptEnd } from '../storage/inbound-event.store';

/** A time as MySQL's DATETIME keeps it (whole seconds), so that due times compare alike everywhere. */
export function wholeSecond(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/**
 * How attempt `attempt` ends: processed without an error; otherwise retried after the schedule's
 * delay for it (to the second), or failed once the schedule has none left.
 */
export function inboundAttemptEnd(
  error: string | null,
  attempt: number,
  schedule: readonly number[],
  now: Date,
): InboundAttemptEnd {
  if (error === null) return { status: 'processed', at: now };
  const delay = schedule[attempt - 1];
  if (delay === undefined) return { status: 'failed', at: now, error };
  return { status: 'received', nextAttemptAt: wholeSecond(new Date(now.getTime() + delay)), error };
}
