import type { DeliveryStatus } from '../storage/entities/delivery.entity';
import type { SendOutcome } from './http-sender';
import { nextRetryDelay } from './retry-policy';

export interface RetryRules {
  retrySchedule: readonly number[];
  retryJitter: number;
  maxRetryAfterMs: number;
}

export interface AttemptDecision {
  status: DeliveryStatus;
  /** Delay before the next attempt, when there is one. */
  retryDelayMs: number | null;
  /** Set when the answer means the subscription must stop at once. */
  disableReason: string | null;
}

/** Statuses after which a receiver's `Retry-After` is honoured (Standard Webhooks). */
const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

export function isSuccess(outcome: Pick<SendOutcome, 'statusCode' | 'errorKind'>): boolean {
  return (
    outcome.errorKind === null &&
    outcome.statusCode !== null &&
    outcome.statusCode >= 200 &&
    outcome.statusCode < 300
  );
}

/**
 * What an attempt's outcome means: 2xx succeeds; 410 Gone stops the subscription; a template that
 * cannot render exhausts the delivery at once; anything else
 * (3xx included: redirects are never followed) retries on the schedule, or sooner/later when the
 * receiver asked with Retry-After, until the schedule is used up.
 */
export function decideAfterAttempt(
  outcome: Pick<SendOutcome, 'statusCode' | 'errorKind' | 'retryAfterMs'>,
  attempt: number,
  rules: RetryRules,
  { retries }: { retries: boolean } = { retries: true },
): AttemptDecision {
  if (isSuccess(outcome)) return { status: 'succeeded', retryDelayMs: null, disableReason: null };
  // The same template fails the same way on every attempt: nothing to wait for.
  if (outcome.errorKind === 'template') {
    return { status: 'exhausted', retryDelayMs: null, disableReason: null };
  }
  if (outcome.statusCode === 410) {
    return { status: 'exhausted', retryDelayMs: null, disableReason: 'receiver answered 410 Gone' };
  }
  const scheduled = retries
    ? nextRetryDelay(rules.retrySchedule, attempt, rules.retryJitter)
    : null;
  if (scheduled === null) return { status: 'exhausted', retryDelayMs: null, disableReason: null };
  const asked =
    outcome.statusCode !== null && RETRY_AFTER_STATUSES.has(outcome.statusCode)
      ? outcome.retryAfterMs
      : null;
  const retryDelayMs = asked === null ? scheduled : Math.min(asked, rules.maxRetryAfterMs);
  return { status: 'failed', retryDelayMs, disableReason: null };
}
