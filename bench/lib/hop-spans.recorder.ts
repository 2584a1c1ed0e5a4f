/**
 * H's tracing inside the emitter and worker children that ask for it (`hopTracing` in their
 * config): an OpenTelemetry SDK whose only span processor keeps, per span the join needs, its times
 * and ids, nothing else. Registered before the Nest app is created, so the library's tracer
 * records; other children keep the API's no-op tracer.
 */
import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { WEBHOOK_SPANS } from '../../src';
import type { HopSpans, HopSpansApi } from './child.apis';
import { wallClockMs } from './histogram.util';

/**
 * Per kind of span: beyond it spans are counted, not kept. A full run at the fast host's half rate
 * (5,000/s for 20 s) makes 100,000 of each.
 */
const MAX_KEPT = 400_000;

export function emptyHopSpans(): HopSpans {
  return { emits: [], handOffs: [], attempts: [], dropped: 0, laterAttempts: 0 };
}

export class HopSpanRecorder implements SpanProcessor {
  private spans = emptyHopSpans();

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    // Stamped here (onEnd runs inside span.end()) rather than read from span.startTime: SDK 2.x
    // anchors a span's start on Date.now(), whole ms and free to drift from the monotonic clock,
    // while the receiver and emittedAt use performance.timeOrigin + performance.now(). The span's
    // duration is measured with performance.now(), so start = end - duration on the bench's clock.
    const endMs = wallClockMs();
    const startMs = endMs - (span.duration[0] * 1e3 + span.duration[1] / 1e6);
    const spans = this.spans;
    switch (span.name) {
      case WEBHOOK_SPANS.emit:
        if (spans.emits.length >= MAX_KEPT) spans.dropped++;
        else spans.emits.push([span.spanContext().spanId, startMs, endMs]);
        return;
      case WEBHOOK_SPANS.handOff: {
        // One event's hand-off is its emit's child; several events' one links to each emit.
        const parent = span.parentSpanContext?.spanId;
        const emitIds =
          span.links.length > 0 ? span.links.map((link) => link.context.spanId) : [parent];
        for (const emitId of emitIds) {
          if (emitId === undefined) continue;
          if (spans.handOffs.length >= MAX_KEPT) spans.dropped++;
          else spans.handOffs.push([emitId, endMs]);
        }
        return;
      }
      case WEBHOOK_SPANS.attempt: {
        const deliveryId = span.attributes['webhooks.delivery.id'];
        const emitId = span.links[0]?.context.spanId;
        if (span.attributes['webhooks.attempt.number'] !== 1) spans.laterAttempts++;
        else if (typeof deliveryId !== 'string' || emitId === undefined) spans.dropped++;
        else if (spans.attempts.length >= MAX_KEPT) spans.dropped++;
        else spans.attempts.push([deliveryId, emitId, startMs, endMs]);
        return;
      }
    }
  }

  /** What was kept since the last take or clear; the recorder starts empty again. */
  take(): HopSpans {
    const taken = this.spans;
    this.spans = emptyHopSpans();
    return taken;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Registers the SDK with a HopSpanRecorder as the global tracer provider of this process. */
export function registerHopTracing(): HopSpanRecorder {
  const recorder = new HopSpanRecorder();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [recorder] }));
  return recorder;
}

/** The RPC methods of a child that may trace: empty answers when it does not. */
export function hopSpansApi(recorder: HopSpanRecorder | undefined): HopSpansApi {
  return {
    takeHopSpans: () => recorder?.take() ?? emptyHopSpans(),
    clearHopSpans: () => void recorder?.take(),
  };
}
