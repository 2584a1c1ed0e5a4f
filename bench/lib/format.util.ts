/** How the report and the targets table write figures. */
import type { LatencySummary } from './histogram.util';

export const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ratio = (value: number) => `${value.toFixed(2)}×`;
// One decimal: a ratio just under its threshold must not print as the threshold.
export const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
/** How a run with `--worker-heap-mb` says so: it changes what the memory figures measure. */
export const heapCap = (workerHeapMb: number | null, before = '', after = '') =>
  workerHeapMb === null ? '' : `${before}old space capped at ${workerHeapMb} MB${after}`;
export const lat = (l: LatencySummary) =>
  `p50 ${num(l.p50Ms, 1)} / p90 ${num(l.p90Ms, 1)} / p99 ${num(l.p99Ms, 1)} / max ${num(l.maxMs, 1)} ms`;
