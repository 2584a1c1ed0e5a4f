const MB = 1024 * 1024;

export interface MemorySource {
  label: string;
  read(): Promise<number | null> | number | null;
  /** Growth below this many bytes counts as flat whatever the percentage (tiny baselines). */
  flatToleranceBytes: number;
}

export interface MemorySummary {
  samples: number;
  startMb: number;
  peakMb: number;
  endMb: number;
  /** Mean of the last quarter of samples over the mean of the second quarter (after warm-up). */
  lateGrowthPct: number;
  /** Late growth ≤ 10%, or below the source's absolute tolerance. */
  flat: boolean;
  /** [ms since start, MB] every sample, for the JSON report. */
  series: Array<[number, number]>;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function summarize(points: Array<[number, number]>, toleranceBytes: number): MemorySummary {
  const values = points.map(([, bytes]) => bytes);
  if (values.length === 0) {
    return {
      samples: 0,
      startMb: 0,
      peakMb: 0,
      endMb: 0,
      lateGrowthPct: 0,
      flat: true,
      series: [],
    };
  }
  const quarter = Math.max(1, Math.floor(values.length / 4));
  const second = mean(values.slice(quarter, Math.max(quarter + 1, 2 * quarter)));
  const last = mean(values.slice(values.length - quarter));
  const growth = last - second;
  return {
    samples: values.length,
    startMb: round(values[0] / MB),
    peakMb: round(Math.max(...values) / MB),
    endMb: round(values[values.length - 1] / MB),
    lateGrowthPct: round((growth / second) * 100),
    flat: growth <= 0.1 * second || growth <= toleranceBytes,
    series: points.map(([ms, bytes]) => [Math.round(ms), round(bytes / MB, 2)]),
  };
}

/** Samples memory gauges (process RSS, Redis used_memory) on a timer. */
export class MemorySampler {
  private readonly points = new Map<string, Array<[number, number]>>();
  private timer: NodeJS.Timeout | undefined;
  private started = 0;
  private sampling: Promise<void> | undefined;

  constructor(
    private readonly sources: readonly MemorySource[],
    private readonly everyMs: number,
  ) {
    for (const source of sources) this.points.set(source.label, []);
  }

  start(): void {
    this.started = performance.now();
    void this.sample();
    this.timer = setInterval(() => {
      if (!this.sampling) void this.sample();
    }, this.everyMs);
  }

  async stop(): Promise<Record<string, MemorySummary>> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample();
    const summaries: Record<string, MemorySummary> = {};
    for (const source of this.sources) {
      summaries[source.label] = summarize(
        this.points.get(source.label) ?? [],
        source.flatToleranceBytes,
      );
    }
    return summaries;
  }

  private sample(): Promise<void> {
    const at = performance.now() - this.started;
    this.sampling = Promise.all(
      this.sources.map(async (source) => {
        const value = await source.read();
        if (value !== null) this.points.get(source.label)?.push([at, value]);
      }),
    ).then(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }
}

export const bytesToMb = (bytes: number) => round(bytes / MB);
