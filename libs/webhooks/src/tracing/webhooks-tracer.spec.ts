import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTraceParent, parseTraceParent } from './trace-parent';
import { TRACER_NAME, TRACER_VERSION, WEBHOOK_SPANS, WebhooksTracer } from './webhooks-tracer';

const EVENT = {
  id: 'e1',
  tenantId: 'acme',
  listId: '42',
  type: 'contact.subscribed',
  source: 'api',
};

function attemptOf(url: string, attempt = 1, traceParent: string | null = null) {
  return {
    delivery: { id: 'd1', subscriptionId: 's1' },
    event: { id: 'e1', type: 'contact.subscribed', traceParent },
    subscription: { url },
    attempt,
    trigger: 'scheduled',
  };
}

describe('WebhooksTracer', () => {
  it("names the package's version as the tracer's", () => {
    const manifest = JSON.parse(
      readFileSync(join(__dirname, '../../../../package.json'), 'utf8'),
    ) as { name: string; version: string };
    expect([TRACER_NAME, TRACER_VERSION]).toEqual([manifest.name, manifest.version]);
  });

  describe('without an SDK', () => {
    it('makes spans that record nothing, and stores and sends no trace context', () => {
      const tracer = new WebhooksTracer();
      const emit = tracer.startEmit(EVENT);
      expect(emit.isRecording()).toBe(false);
      expect(tracer.traceParentOf(emit)).toBeNull();
      tracer.endEmit(emit, 3);
      const attempt = tracer.startAttempt(attemptOf('https://example.com/hook'));
      expect(attempt.isRecording()).toBe(false);
      expect(tracer.traceParentHeader(attempt)).toBeUndefined();
      tracer.endAttempt(attempt, { statusCode: 500, errorKind: 'http_status' });
    });
  });

  describe('with an SDK', () => {
    const exporter = new InMemorySpanExporter();
    let tracer: WebhooksTracer;

    beforeAll(() => {
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
      tracer = new WebhooksTracer();
    });
    afterEach(() => exporter.reset());
    afterAll(() => trace.disable());

    const finished = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

    it('records an emit with its event and number of deliveries', () => {
      const span = tracer.startEmit(EVENT);
      const traceParent = tracer.traceParentOf(span);
      tracer.endEmit(span, 3);
      const [emit] = finished(WEBHOOK_SPANS.emit);
      expect(emit.kind).toBe(SpanKind.PRODUCER);
      expect(emit.instrumentationScope).toMatchObject({
        name: TRACER_NAME,
        version: TRACER_VERSION,
      });
      expect(emit.attributes).toEqual({
        'webhooks.event.id': 'e1',
        'webhooks.event.type': 'contact.subscribed',
        'webhooks.event.source': 'api',
        'webhooks.tenant.id': 'acme',
        'webhooks.list.id': '42',
        'webhooks.deliveries.count': 3,
      });
      expect(traceParent).toBe(formatTraceParent(emit.spanContext()));
    });

    it('makes an attempt an HTTP client span linked to its emit, its URL without query or credentials', () => {
      const emit = tracer.startEmit(EVENT);
      const traceParent = tracer.traceParentOf(emit);
      emit.end();
      const span = tracer.startAttempt(
        attemptOf('https://user:pw@hooks.example.com/in/42?token=secret#x', 2, traceParent),
      );
      tracer.endAttempt(span, { statusCode: 200, errorKind: null });
      const [attempt] = finished(WEBHOOK_SPANS.attempt);
      expect(attempt.kind).toBe(SpanKind.CLIENT);
      expect(attempt.attributes).toEqual({
        'http.request.method': 'POST',
        'url.full': 'https://hooks.example.com/in/42',
        'server.address': 'hooks.example.com',
        'server.port': 443,
        'http.response.status_code': 200,
        'http.request.resend_count': 1,
        'webhooks.delivery.id': 'd1',
        'webhooks.subscription.id': 's1',
        'webhooks.event.id': 'e1',
        'webhooks.event.type': 'contact.subscribed',
        'webhooks.attempt.number': 2,
        'webhooks.attempt.trigger': 'scheduled',
      });
      expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
      // Not the emit's child: a link to it.
      expect(attempt.parentSpanContext).toBeUndefined();
      expect(attempt.spanContext().traceId).not.toBe(emit.spanContext().traceId);
      expect(attempt.links.map((link) => link.context)).toEqual([
        { ...emit.spanContext(), isRemote: true },
      ]);
    });

    it.each([
      [{ statusCode: 500, errorKind: 'http_status' }, 500, '500'],
      [{ statusCode: null, errorKind: 'connection' }, undefined, 'connection'],
      [{ statusCode: null, errorKind: 'timeout' }, undefined, 'timeout'],
    ])('marks a failed attempt (%j) as an error', (outcome, statusCode, errorType) => {
      tracer.endAttempt(tracer.startAttempt(attemptOf('http://127.0.0.1:8080/hook')), outcome);
      const [attempt] = finished(WEBHOOK_SPANS.attempt);
      expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
      expect(attempt.attributes['error.type']).toBe(errorType);
      expect(attempt.attributes['http.response.status_code']).toBe(statusCode);
      expect(attempt.attributes['server.port']).toBe(8080);
      expect(attempt.attributes['http.request.resend_count']).toBeUndefined();
    });

    it("gives a receiver the attempt span's traceparent", () => {
      const span = tracer.startAttempt(attemptOf('https://example.com/'));
      expect(tracer.traceParentHeader(span)).toBe(formatTraceParent(span.spanContext()));
      span.end();
    });

    it("makes the hand-off of one event's deliveries its emit's child, of several linked to each", () => {
      const emits = [tracer.startEmit(EVENT), tracer.startEmit(EVENT)];
      const traceParents = emits.map((span) => tracer.traceParentOf(span));
      for (const span of emits) span.end();
      tracer.startHandOff(2, 1, [traceParents[0]]).end();
      tracer.startHandOff(5, 0, [...traceParents, null]).end();
      const [one, several] = finished(WEBHOOK_SPANS.handOff);
      expect(one.parentSpanContext?.spanId).toBe(emits[0].spanContext().spanId);
      expect(one.spanContext().traceId).toBe(emits[0].spanContext().traceId);
      expect(one.attributes['webhooks.deliveries.count']).toBe(2);
      expect(one.attributes['webhooks.deliveries.local']).toBe(1);
      expect(several.parentSpanContext).toBeUndefined();
      expect(several.links.map((link) => link.context.spanId)).toEqual(
        emits.map((span) => span.spanContext().spanId),
      );
    });
  });
});

describe('traceparent', () => {
  it('round-trips a span context, and refuses what is not one', () => {
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    };
    const header = formatTraceParent(spanContext);
    expect(header).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(parseTraceParent(header)).toEqual({ ...spanContext, isRemote: true });
    for (const bad of [null, '', 'garbage', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`]) {
      expect(parseTraceParent(bad)).toBeUndefined();
    }
  });
});
