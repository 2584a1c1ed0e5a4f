import { WEBHOOKS_DEFAULTS } from '../webhooks.options';
import { maxAttempts, nextRetryDelay } from './retry-policy';

describe('nextRetryDelay', () => {
  const schedule = [1_000, 10_000, 60_000];

  it('follows the schedule after the immediate first attempt, then gives up', () => {
    const noJitter = (made: number) => nextRetryDelay(schedule, made, 0);
    expect([1, 2, 3].map(noJitter)).toEqual([1_000, 10_000, 60_000]);
    expect(noJitter(4)).toBeNull();
    expect(noJitter(0)).toBeNull();
    expect(maxAttempts(schedule)).toBe(4);
  });

  it('spreads each delay by at most the jitter, both ways', () => {
    expect(nextRetryDelay(schedule, 2, 0.2, () => 0)).toBe(8_000);
    expect(nextRetryDelay(schedule, 2, 0.2, () => 0.5)).toBe(10_000);
    expect(nextRetryDelay(schedule, 2, 0.2, () => 0.999999)).toBe(12_000);
    for (let i = 0; i < 1_000; i++) {
      const delay = nextRetryDelay(schedule, 3, 0.2)!;
      expect(delay).toBeGreaterThanOrEqual(48_000);
      expect(delay).toBeLessThanOrEqual(72_000);
    }
  });

  it('defaults to 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: eight attempts over about a day', () => {
    const schedule = WEBHOOKS_DEFAULTS.retries.schedule;
    expect(schedule).toEqual([5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6]);
    expect(maxAttempts(schedule)).toBe(8);
  });
});
