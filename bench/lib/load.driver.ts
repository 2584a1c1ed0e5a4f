import type { LoadList, LoadReport, OpenLoopParams, SaturateParams } from './child.apis';
import { EMPTY_LATENCY, LatencyRecorder, wallClockMs } from './histogram.util';

/** Emits event number `seq` to `list`; `emittedAtMs` goes into `data.emittedAt`. */
export type EmitFn = (list: LoadList, seq: number, emittedAtMs: number) => Promise<void>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Drives a producer (the module's `emit`, the naive `queue.add`) in one of two ways:
 * - saturate: a closed loop of `concurrency` callers emitting as fast as they can, pausing while
 *   more than `maxBacklog` events are emitted but not yet received, so the pipeline stays full
 *   without an unbounded queue;
 * - open loop: events on a clock at a fixed rate, whether earlier ones are done or not. Their
 *   `emittedAt` is the scheduled time, so an emitter that falls behind counts as latency
 *   (no coordinated omission).
 */
export class LoadDriver {
  private received = 0;

  constructor(private readonly emit: EmitFn) {}

  onReceived(count: number): void {
    this.received = count;
  }

  async saturate(params: SaturateParams): Promise<LoadReport> {
    const report = this.newReport('saturate');
    const emitCall = new LatencyRecorder();
    this.received = 0;
    const started = performance.now();
    const deadline = started + params.durationMs;
    let next = 0;
    const caller = async () => {
      while (performance.now() < deadline) {
        const waitStart = performance.now();
        while (report.counted - this.received >= params.maxBacklog) {
          if (performance.now() >= deadline) return;
          await sleep(2);
        }
        report.backlogWaitMs += performance.now() - waitStart;
        const seq = next++;
        const list = params.lists[seq % params.lists.length];
        if (list.counts) report.counted++;
        await this.emitOne(list, seq, wallClockMs(), report, emitCall);
      }
    };
    await Promise.all(Array.from({ length: params.concurrency }, caller));
    report.elapsedMs = performance.now() - started;
    report.backlogWaitMs = Math.round(report.backlogWaitMs / params.concurrency);
    report.emitCall = emitCall.summary();
    return report;
  }

  async openLoop(params: OpenLoopParams): Promise<LoadReport> {
    const report = this.newReport('open-loop');
    const emitCall = new LatencyRecorder();
    const intervalMs = 1000 / params.ratePerSec;
    const total = Math.floor((params.ratePerSec * params.durationMs) / 1000);
    const startedPerf = performance.now();
    const startedWall = wallClockMs();
    const inFlight = new Set<Promise<void>>();
    let seq = 0;
    while (seq < total) {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - startedPerf) / intervalMs) + 1);
      while (seq < due) {
        if (inFlight.size >= params.maxInFlight) {
          await Promise.race(inFlight);
          continue;
        }
        const scheduledOffset = seq * intervalMs;
        report.maxLagMs = Math.max(
          report.maxLagMs,
          performance.now() - startedPerf - scheduledOffset,
        );
        const list = params.lists[seq % params.lists.length];
        if (list.counts) report.counted++;
        const call = this.emitOne(list, seq, startedWall + scheduledOffset, report, emitCall);
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
        seq++;
      }
      const nextAt = startedPerf + seq * intervalMs;
      await sleep(Math.max(0, nextAt - performance.now()));
    }
    await Promise.all(inFlight);
    report.elapsedMs = performance.now() - startedPerf;
    report.maxLagMs = Math.round(report.maxLagMs * 1000) / 1000;
    report.emitCall = emitCall.summary();
    return report;
  }

  private async emitOne(
    list: LoadList,
    seq: number,
    emittedAtMs: number,
    report: LoadReport,
    emitCall: LatencyRecorder,
  ): Promise<void> {
    const started = performance.now();
    try {
      await this.emit(list, seq, emittedAtMs);
      report.emitted++;
      emitCall.recordMs(performance.now() - started);
    } catch (error) {
      report.failed++;
      if (list.counts) report.counted--;
      report.firstError ??= error instanceof Error ? error.message : String(error);
    }
  }

  private newReport(mode: LoadReport['mode']): LoadReport {
    return {
      mode,
      emitted: 0,
      counted: 0,
      failed: 0,
      firstError: null,
      elapsedMs: 0,
      emitCall: EMPTY_LATENCY,
      maxLagMs: 0,
      backlogWaitMs: 0,
    };
  }
}
