import { decideAfterAttempt, isSuccess, type RetryRules } from './attempt-outcome';
import { parseRetryAfter, type SendOutcome } from './http-sender';

type Outcome = Pick<SendOutcome, 'statusCode' | 'errorKind' | 'retryAfterMs'>;

const rules: RetryRules = {
  retrySchedule: [1_000, 10_000],
  retryJitter: 0,
  maxRetryAfterMs: 60_000,
};

const answered = (statusCode: number, retryAfterMs: number | null = null): Outcome => ({
  statusCode,
  errorKind: statusCode >= 200 && statusCode < 300 ? null : 'http_status',
  retryAfterMs,
});
const timedOut: Outcome = { statusCode: null, errorKind: 'timeout', retryAfterMs: null };

describe('decideAfterAttempt', () => {
  it('succeeds on any 2xx, and only on an answer without error', () => {
    expect(decideAfterAttempt(answered(204), 1, rules)).toEqual({
      status: 'succeeded',
      retryDelayMs: null,
      disableReason: null,
    });
    expect(isSuccess({ statusCode: 200, errorKind: 'challenge_mismatch' })).toBe(false);
    expect(isSuccess({ statusCode: 300, errorKind: 'http_status' })).toBe(false);
  });

  it('stops at once and disables the subscription on 410 Gone, whatever is left of the schedule', () => {
    expect(decideAfterAttempt(answered(410, 5_000), 1, rules)).toEqual({
      status: 'exhausted',
      retryDelayMs: null,
      disableReason: 'receiver answered 410 Gone',
    });
  });

  it('exhausts at once a delivery whose template cannot render: the next attempt would fail the same way', () => {
    const template: Outcome = { statusCode: null, errorKind: 'template', retryAfterMs: null };
    expect(decideAfterAttempt(template, 1, rules)).toEqual({
      status: 'exhausted',
      retryDelayMs: null,
      disableReason: null,
    });
  });

  it('retries failures on the schedule, then is exhausted after the last scheduled retry', () => {
    const after = (attempt: number, outcome = answered(500)) =>
      decideAfterAttempt(outcome, attempt, rules);
    expect(after(1)).toEqual({ status: 'failed', retryDelayMs: 1_000, disableReason: null });
    expect(after(2, timedOut)).toEqual({
      status: 'failed',
      retryDelayMs: 10_000,
      disableReason: null,
    });
    // Three attempts: the immediate one and one per schedule entry.
    expect(after(3)).toEqual({ status: 'exhausted', retryDelayMs: null, disableReason: null });
    // Redirects are not followed: they fail like any other non-2xx answer.
    expect(after(1, answered(301))).toMatchObject({ status: 'failed', retryDelayMs: 1_000 });
  });

  it('never retries an attempt made without retries (test ping, probe)', () => {
    expect(decideAfterAttempt(answered(503, 1_000), 1, rules, { retries: false })).toEqual({
      status: 'exhausted',
      retryDelayMs: null,
      disableReason: null,
    });
  });

  it.each([429, 502, 503, 504])(
    'honours Retry-After after %i, sooner or later than the schedule',
    (status) => {
      expect(decideAfterAttempt(answered(status, 0), 1, rules).retryDelayMs).toBe(0);
      expect(decideAfterAttempt(answered(status, 30_000), 1, rules).retryDelayMs).toBe(30_000);
    },
  );

  it('caps Retry-After at maxRetryAfterMs', () => {
    expect(decideAfterAttempt(answered(503, 3_600_000), 1, rules)).toEqual({
      status: 'failed',
      retryDelayMs: 60_000,
      disableReason: null,
    });
  });

  it('ignores Retry-After on other statuses, and once the schedule is used up', () => {
    expect(decideAfterAttempt(answered(500, 30_000), 1, rules).retryDelayMs).toBe(1_000);
    expect(decideAfterAttempt(answered(400, 30_000), 1, rules).retryDelayMs).toBe(1_000);
    expect(decideAfterAttempt(answered(503, 30_000), 3, rules)).toMatchObject({
      status: 'exhausted',
      retryDelayMs: null,
    });
  });

  it('spreads scheduled retries by the jitter, but not what the receiver asked for', () => {
    const jittery = { ...rules, retryJitter: 0.5 };
    const random = jest.spyOn(Math, 'random');
    try {
      random.mockReturnValue(0);
      expect(decideAfterAttempt(answered(500), 2, jittery).retryDelayMs).toBe(5_000);
      random.mockReturnValue(0.999999);
      expect(decideAfterAttempt(answered(500), 2, jittery).retryDelayMs).toBe(15_000);
      expect(decideAfterAttempt(answered(429, 2_000), 2, jittery).retryDelayMs).toBe(2_000);
    } finally {
      random.mockRestore();
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['7', '99'], now)).toBe(7_000);
  });

  it('reads an HTTP-date as the time left until then, never below zero', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
