import { Injectable } from '@nestjs/common';
import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { formatTraceParent, parseTraceParent } from './trace-parent';

/** The instrumentation scope of the library's spans. */
export const TRACER_NAME = 'nestjs-marketing-webhooks';
export const TRACER_VERSION = '0.1.0';

/** Span names, for hosts filtering or sampling them. */
export const WEBHOOK_SPANS = {
  emit: 'webhooks.emit',
  handOff: 'webhooks.hand_off',
  /** An attempt is an HTTP client span, named after its method as the conventions say. */
  attempt: 'POST',
  inboundReceive: 'webhooks.inbound.receive',
  inboundProcess: 'webhooks.inbound.process',
} as const;

// Written once: each span start would otherwise build its options.
const PRODUCER: SpanOptions = { kind: SpanKind.PRODUCER };
const CLIENT: SpanOptions = { kind: SpanKind.CLIENT };
const CONSUMER: SpanOptions = { kind: SpanKind.CONSUMER };
const INTERNAL: SpanOptions = { kind: SpanKind.INTERNAL };

export interface TracedEvent {
  id: string;
  tenantId: string;
  listId: string;
  type: string;
  source: string;
}

export interface TracedAttempt {
  delivery: { id: string; subscriptionId: string };
  event: { id: string; type: string; traceParent?: string | null };
  subscription: { url: string };
  attempt: number;
  trigger: string;
}

export interface TracedAttemptOutcome {
  statusCode: number | null;
  errorKind: string | null;
}

export interface TracedInboundEvent {
  id: string;
  endpointId: string;
  scheme: string;
  type: string | null;
  attempts: number;
}

/**
 * The library's spans, through `@opentelemetry/api` only: without an SDK registered by the host the
 * API's tracer is a no-op, and nothing here builds attributes or strings for a span that does not
 * record. An attempt runs later than its emit, maybe in another process: it is not the emit's child
 * but links to it, through the `traceparent` stored with the event.
 */
@Injectable()
export class WebhooksTracer {
  private readonly tracer: Tracer = trace.getTracer(TRACER_NAME, TRACER_VERSION);

  startEmit(event: TracedEvent): Span {
    const span = this.tracer.startSpan(WEBHOOK_SPANS.emit, PRODUCER);
    if (span.isRecording()) {
      span.setAttributes({
        'webhooks.event.id': event.id,
        'webhooks.event.type': event.type,
        'webhooks.event.source': event.source,
        'webhooks.tenant.id': event.tenantId,
        'webhooks.list.id': event.listId,
      });
    }
    return span;
  }

  endEmit(span: Span, deliveries: number): void {
    if (span.isRecording()) span.setAttribute('webhooks.deliveries.count', deliveries);
    span.end();
  }

  /** What an event stores for its attempts to link to: null unless the span records. */
  traceParentOf(span: Span): string | null {
    return span.isRecording() ? formatTraceParent(span.spanContext()) : null;
  }

  /**
   * The hand-off of stored deliveries to the queue: the child of its emit when it carries one
   * event's, linked to each emit when it carries several.
   */
  /** @param local how many of the `deliveries` this process runs itself (`LocalFirstAttempts`). */
  startHandOff(deliveries: number, local: number, traceParents: readonly (string | null)[]): Span {
    const single = traceParents.length === 1 ? parseTraceParent(traceParents[0]) : undefined;
    const parent = single ? trace.setSpanContext(context.active(), single) : undefined;
    const span = this.tracer.startSpan(WEBHOOK_SPANS.handOff, PRODUCER, parent);
    if (span.isRecording()) {
      span.setAttribute('webhooks.deliveries.count', deliveries);
      span.setAttribute('webhooks.deliveries.local', local);
      if (!single) span.addLinks(linksTo(traceParents));
    }
    return span;
  }

  /** An HTTP client span, linked to the emit that made the delivery. */
  startAttempt(attempt: TracedAttempt): Span {
    const emitted = parseTraceParent(attempt.event.traceParent);
    const span = this.tracer.startSpan(
      WEBHOOK_SPANS.attempt,
      emitted ? { kind: SpanKind.CLIENT, links: [{ context: emitted }] } : CLIENT,
    );
    if (span.isRecording()) span.setAttributes(attemptAttributes(attempt));
    return span;
  }

  endAttempt(span: Span, outcome: TracedAttemptOutcome): void {
    if (span.isRecording()) {
      if (outcome.statusCode !== null)
        span.setAttribute('http.response.status_code', outcome.statusCode);
      if (outcome.errorKind !== null) {
        const errorType =
          outcome.errorKind === 'http_status' && outcome.statusCode !== null
            ? String(outcome.statusCode)
            : outcome.errorKind;
        span.setAttribute('error.type', errorType);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();
  }

  /** The `traceparent` header a receiver gets; undefined when the span has no valid context. */
  traceParentHeader(span: Span): string | undefined {
    const spanContext = span.spanContext();
    return isSpanContextValid(spanContext) ? formatTraceParent(spanContext) : undefined;
  }

  startInboundReceive(endpoint: { id: string; scheme: string }): Span {
    const span = this.tracer.startSpan(WEBHOOK_SPANS.inboundReceive, INTERNAL);
    if (span.isRecording()) {
      span.setAttributes({
        'webhooks.inbound.endpoint.id': endpoint.id,
        'webhooks.inbound.provider': endpoint.scheme,
      });
    }
    return span;
  }

  endInboundReceive(
    span: Span,
    outcome: string,
    event?: { id: string; type: string | null },
  ): void {
    if (span.isRecording()) {
      span.setAttribute('webhooks.inbound.outcome', outcome);
      if (event) span.setAttribute('webhooks.inbound.event.id', event.id);
      if (event?.type) span.setAttribute('webhooks.inbound.event.type', event.type);
    }
    span.end();
  }

  startInboundProcess(eventId: string): Span {
    const span = this.tracer.startSpan(WEBHOOK_SPANS.inboundProcess, CONSUMER);
    if (span.isRecording()) span.setAttribute('webhooks.inbound.event.id', eventId);
    return span;
  }

  /** Runs `work` with `span` as the active span (the host's handler spans become its children). */
  runInside<T>(span: Span, work: () => T): T {
    if (!span.isRecording()) return work();
    return context.with(trace.setSpan(context.active(), span), work);
  }

  endInboundProcess(
    span: Span,
    outcome: string,
    event?: TracedInboundEvent,
    error?: string | null,
  ): void {
    if (span.isRecording()) {
      span.setAttribute('webhooks.inbound.outcome', outcome);
      if (event) {
        span.setAttributes({
          'webhooks.inbound.endpoint.id': event.endpointId,
          'webhooks.inbound.provider': event.scheme,
          'webhooks.inbound.attempt': event.attempts,
        });
        if (event.type) span.setAttribute('webhooks.inbound.event.type', event.type);
      }
      if (error) {
        span.setAttribute('error.type', 'handler');
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.slice(0, 500) });
      }
    }
    span.end();
  }

  /** Ends a span whose work threw. */
  endWithError(span: Span, error: unknown): void {
    if (span.isRecording()) {
      const exception = error instanceof Error ? error : new Error(String(error));
      span.recordException(exception);
      span.setAttribute('error.type', exception.name || 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
    }
    span.end();
  }
}

function linksTo(traceParents: readonly (string | null)[]): Link[] {
  const links: Link[] = [];
  for (const traceParent of traceParents) {
    const spanContext = parseTraceParent(traceParent);
    if (spanContext) links.push({ context: spanContext });
  }
  return links;
}

/**
 * HTTP client attributes (OpenTelemetry semantic conventions) and the library's own. `url.full`
 * has neither the query string nor credentials: receivers' URLs often carry tokens.
 */
function attemptAttributes(attempt: TracedAttempt) {
  let url: URL | undefined;
  try {
    url = new URL(attempt.subscription.url);
  } catch {
    url = undefined;
  }
  const attributes: Record<string, string | number> = {
    'http.request.method': 'POST',
    'webhooks.delivery.id': attempt.delivery.id,
    'webhooks.subscription.id': attempt.delivery.subscriptionId,
    'webhooks.event.id': attempt.event.id,
    'webhooks.event.type': attempt.event.type,
    'webhooks.attempt.number': attempt.attempt,
    'webhooks.attempt.trigger': attempt.trigger,
  };
  if (attempt.attempt > 1) attributes['http.request.resend_count'] = attempt.attempt - 1;
  if (url) {
    attributes['url.full'] = `${url.protocol}//${url.host}${url.pathname}`;
    attributes['server.address'] = url.hostname.replace(/^\[(.*)\]$/, '$1');
    attributes['server.port'] = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  }
  return attributes;
}
