import { build, type Histogram } from 'hdr-histogram-js';

/** Latency figures in milliseconds, read from an HdrHistogram recorded in microseconds. */
export interface LatencySummary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export const EMPTY_LATENCY: LatencySummary = {
  count: 0,
  minMs: 0,
  p50Ms: 0,
  p90Ms: 0,
  p99Ms: 0,
  maxMs: 0,
  meanMs: 0,
};

/** One hour in µs: anything slower is clamped (it would be a failure of the run anyway). */
const HIGHEST_US = 3_600_000_000;

/** A latency recorder: values in ms (fractions kept to the µs), 3 significant digits. */
export class LatencyRecorder {
  private histogram: Histogram = LatencyRecorder.create();

  private static create(): Histogram {
    return build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_US,
      numberOfSignificantValueDigits: 3,
      autoResize: false,
    });
  }

  recordMs(ms: number): void {
    const us = Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000)));
    this.histogram.recordValue(us);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  reset(): void {
    this.histogram.reset();
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    if (h.totalCount === 0) return EMPTY_LATENCY;
    return {
      count: h.totalCount,
      minMs: ms(h.minNonZeroValue),
      p50Ms: ms(h.getValueAtPercentile(50)),
      p90Ms: ms(h.getValueAtPercentile(90)),
      p99Ms: ms(h.getValueAtPercentile(99)),
      maxMs: ms(h.maxValue),
      meanMs: ms(h.mean),
    };
  }
}

/** Wall-clock time in ms with µs resolution, comparable between processes of one machine. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
