import type { ThroughputResult } from './results.types';

/** The saturated rate of a round. */
export const rate = (result: ThroughputResult) => result.deliveriesPerSec;

/** The round whose rate is the median (its other figures stay consistent with it). */
export function medianBy<T>(rounds: readonly T[], rateOf: (round: T) => number): T {
  const sorted = [...rounds].sort((a, b) => rateOf(a) - rateOf(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function median(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}

/** Median of the per-round ratios a[i] / b[i]; null when there is no b. */
export function medianRatio(a: readonly number[], b: readonly number[]): number | null {
  return b.length ? median(a.map((value, index) => value / b[index])) : null;
}
