import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { parse as parseQuery } from 'qs';
import { WebhookNotifier } from '../lifecycle/webhook-notifier';
import { WEBHOOK_LIFECYCLE_EVENTS } from '../lifecycle/webhook-lifecycle.events';
import { WebhooksMetrics } from '../metrics/webhooks-metrics';
import type { WebhookInboundEvent } from '../storage/entities/inbound-event.entity';
import { InboundEventStore } from '../storage/inbound-event.store';
import { WebhooksTracer } from '../tracing/webhooks-tracer';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { InboundHandlersExplorer } from './inbound-handlers.explorer';
import { inboundAttemptEnd, wholeSecond } from './inbound-retry';
import type { InboundWebhookEvent } from './inbound-webhook.event';
import { InboundQueue, type InboundJobData } from './inbound.queue';

/**
 * One processing attempt of an inbound event: claim it (so no other worker runs it meanwhile), run
 * the matching handlers, record the outcome. A handler that throws is retried on
 * `inbound.retrySchedule`; after the last retry the event is `failed`. Errors of the database or
 * Redis are thrown to Bull, which retries the job with backoff.
 */
@Injectable()
export class InboundProcessor {
  private readonly logger = new Logger('WebhooksInbound');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly events: InboundEventStore,
    private readonly handlers: InboundHandlersExplorer,
    private readonly queue: InboundQueue,
    private readonly metrics: WebhooksMetrics,
    private readonly notifier: WebhookNotifier,
    private readonly tracer: WebhooksTracer,
  ) {}

  async process({ eventId }: InboundJobData, now = new Date()): Promise<void> {
    const span = this.tracer.startInboundProcess(eventId);
    try {
      const { outcome, event, error } = await this.processClaimed(eventId, now, span);
      this.tracer.endInboundProcess(span, outcome, event, error);
    } catch (error) {
      this.tracer.endWithError(span, error);
      throw error;
    }
  }

  private async processClaimed(
    eventId: string,
    now: Date,
    span: Span,
  ): Promise<{ outcome: string; event?: WebhookInboundEvent; error?: string | null }> {
    const leaseUntil = wholeSecond(
      new Date(now.getTime() + this.options.inboundProcessingTimeoutMs),
    );
    const event = await this.events.claim(eventId, now, leaseUntil);
    // Processed already, held by another worker, or not due yet: its own job or the relay comes back.
    if (!event) return { outcome: 'not_claimed' };
    const error = await this.tracer.runInside(span, () => this.runHandlers(event));
    const end = inboundAttemptEnd(
      error,
      event.attempts,
      this.options.inboundRetrySchedule,
      new Date(),
    );
    // A late outcome (the lease expired and another worker took the event) changes nothing.
    if (!(await this.events.finish(event.id, event.attempts, end))) {
      return { outcome: 'superseded', event, error };
    }
    const ref = {
      tenantId: event.tenantId,
      listId: event.listId,
      endpointId: event.endpointId,
      eventId: event.id,
      provider: event.scheme,
      type: event.type,
      attempts: event.attempts,
    };
    if (end.status === 'processed') {
      this.metrics.recordInboundProcessing('processed', event.scheme);
      this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed, ref);
      return { outcome: 'processed', event };
    }
    if (end.status === 'failed') {
      this.metrics.recordInboundProcessing('failed', event.scheme);
      this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.inboundFailed, { ...ref, error: end.error });
      return { outcome: 'failed', event, error };
    }
    this.metrics.recordInboundProcessing('retried', event.scheme);
    await this.queue.enqueue(
      [{ id: event.id, attempt: event.attempts + 1 }],
      Math.max(0, end.nextAttemptAt.getTime() - Date.now()),
    );
    return { outcome: 'retried', event, error };
  }

  /** The first handler error as text, or null when every matching handler returned. */
  private async runHandlers(event: WebhookInboundEvent): Promise<string | null> {
    const delivered = toHandlerEvent(event);
    for (const handler of this.handlers.handlersFor(delivered)) {
      try {
        await handler.call(delivered);
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        this.logger.warn(
          `Inbound event ${event.id}: ${handler.name} threw (attempt ${event.attempts}): ${message}`,
        );
        return `${handler.name}: ${message}`;
      }
    }
    return null;
  }
}

function toHandlerEvent(event: WebhookInboundEvent): InboundWebhookEvent {
  return {
    id: event.id,
    endpointId: event.endpointId,
    tenantId: event.tenantId,
    listId: event.listId,
    provider: event.scheme,
    type: event.type,
    providerEventId: event.providerEventId,
    payload: parsePayload(event.body, event.headers['content-type']),
    body: event.body,
    headers: event.headers,
    receivedAt: event.receivedAt,
    attempt: event.attempts,
  };
}

/** JSON, or a form as an object (`a[b]=1` nested, as Express reads it); null when it is neither. */
export function parsePayload(body: string, contentType: string | undefined): unknown {
  if (contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return parseQuery(body, { depth: 5, parameterLimit: 1_000 });
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}
