/**
 * Delay before the next attempt, or `null` when the schedule is used up.
 * `attemptsMade` counts the attempts already made (the first one is immediate, so after it
 * the first schedule entry applies). Jitter spreads retries so failing receivers are not hit in waves.
 */
export function nextRetryDelay(
  schedule: readonly number[],
  attemptsMade: number,
  jitter: number,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined || attemptsMade < 1) return null;
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base + spread));
}

/** Total attempts a delivery gets: the immediate one plus one per schedule entry. */
export function maxAttempts(schedule: readonly number[]): number {
  return schedule.length + 1;
}
