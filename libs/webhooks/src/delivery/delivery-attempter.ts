import { Inject, Injectable } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookEventSource } from '../catalogue/event-catalogue';
import { WebhookEvent } from '../storage/entities/event.entity';
import { OutboxStore } from '../storage/outbox.store';
import { WEBHOOK_LIFECYCLE_EVENTS } from '../lifecycle/webhook-lifecycle.events';
import { WebhookNotifier } from '../lifecycle/webhook-notifier';
import { WebhooksMetrics } from '../metrics/webhooks-metrics';
import { UrlGuard } from '../security/url-guard';
import { webhookHeaders } from '../signing/signature';
import { WebhookSubscription } from '../storage/entities/subscription.entity';
import { SubscriptionStateService, subscriptionRef } from './subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import type { AttemptTrigger } from '../storage/entities/attempt.entity';
import { AttemptRecorder } from './attempt-recorder';
import { decideAfterAttempt, isSuccess, type AttemptDecision } from './attempt-outcome';
import { WebhookDelivery } from '../storage/entities/delivery.entity';
import type {
  AttemptDelivery,
  AttemptEvent,
  AttemptSubscription,
  LoadedDelivery,
} from '../storage/delivery.store';
import { EndpointHealthRecorder } from './endpoint-health-recorder';
import { HttpSender, type SendOutcome } from './http-sender';
import { TemplateRenderError, TemplateRenderer } from '../templates/template-renderer';
import { WebhooksTracer } from '../tracing/webhooks-tracer';
import { renderWebhookBody, templateEnvelope, type RenderedBody } from './webhook-body';

export interface AttemptRequest {
  delivery: AttemptDelivery;
  event: AttemptEvent;
  subscription: AttemptSubscription;
  attempt: number;
  trigger: AttemptTrigger;
  /** Whether a failure schedules another attempt. */
  retries: boolean;
  /** Extra condition on a 2xx answer (e.g. the echoed verification challenge). */
  acceptResponse?: (outcome: SendOutcome) => boolean;
  /** Called once the request has ended, before anything is recorded. */
  onRequestEnded?: (outcome: SendOutcome) => void;
}

/**
 * The request for an attempt taken from the queue. A class, not an object literal, for the reason
 * given at `LoadedDelivery`: it holds the loaded row for the whole request and record.
 */
export class QueuedAttemptRequest implements AttemptRequest {
  readonly delivery: AttemptDelivery;
  readonly event: AttemptEvent;
  readonly subscription: AttemptSubscription;
  readonly retries = true;

  constructor(
    loaded: LoadedDelivery,
    readonly attempt: number,
    readonly trigger: AttemptTrigger,
    readonly onRequestEnded: (outcome: SendOutcome) => void,
  ) {
    this.delivery = loaded.delivery;
    this.event = loaded.event;
    this.subscription = loaded.subscription;
  }
}

export interface AttemptReport {
  outcome: SendOutcome;
  decision: AttemptDecision;
  /** False when another attempt of the same delivery was recorded first. */
  recorded: boolean;
}

export interface DirectSend {
  type: string;
  source: WebhookEventSource;
  data: Record<string, unknown>;
  trigger: AttemptTrigger;
  acceptResponse?: AttemptRequest['acceptResponse'];
}

/** Triggers whose outcomes count for the endpoint's health and auto-disabling. */
const HEALTH_TRIGGERS: ReadonlySet<AttemptTrigger> = new Set(['scheduled', 'redelivery']);

/** Makes one HTTP attempt of a delivery and records everything it means. */
@Injectable()
export class DeliveryAttempter {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly outbox: OutboxStore,
    private readonly recorder: AttemptRecorder,
    private readonly sender: HttpSender,
    private readonly urlGuard: UrlGuard,
    private readonly state: SubscriptionStateService,
    private readonly notifier: WebhookNotifier,
    private readonly health: EndpointHealthRecorder,
    private readonly metrics: WebhooksMetrics,
    private readonly templates: TemplateRenderer,
    private readonly tracer: WebhooksTracer,
  ) {}

  async attempt(request: AttemptRequest): Promise<AttemptReport> {
    const { delivery, subscription, attempt, trigger } = request;
    const span = this.tracer.startAttempt(request);
    let outcome: SendOutcome;
    try {
      outcome = await this.send(request, span);
    } catch (error) {
      this.tracer.endWithError(span, error);
      throw error;
    }
    request.onRequestEnded?.(outcome);
    if (isSuccess(outcome) && request.acceptResponse && !request.acceptResponse(outcome)) {
      outcome = {
        ...outcome,
        errorKind: 'challenge_mismatch',
        errorMessage: 'the response did not echo the challenge',
      };
    }
    this.tracer.endAttempt(span, outcome);
    const decision = decideAfterAttempt(outcome, attempt, this.options, {
      retries: request.retries,
    });
    this.metrics.recordAttempt(outcome, decision, trigger);
    const now = new Date();
    const nextAttemptAt =
      decision.retryDelayMs === null ? null : new Date(now.getTime() + decision.retryDelayMs);

    const recorded = await this.recorder.record({
      deliveryId: delivery.id,
      attempt,
      trigger,
      outcome,
      status: decision.status,
      attemptedAt: now,
      nextAttemptAt,
    });
    if (!recorded) return { outcome, decision, recorded };

    Object.assign(delivery, { status: decision.status, attempts: attempt });
    if (HEALTH_TRIGGERS.has(trigger))
      await this.health.record(subscription, decision.status === 'succeeded', now);
    if (decision.disableReason) await this.state.disable(subscription, decision.disableReason);
    if (decision.status === 'exhausted' && HEALTH_TRIGGERS.has(trigger)) {
      this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted, {
        ...subscriptionRef(subscription),
        deliveryId: delivery.id,
        eventId: request.event.id,
        eventType: request.event.type,
        attempts: attempt,
        lastStatusCode: outcome.statusCode,
      });
    }
    return { outcome, decision, recorded };
  }

  /** Sends an event to one subscription now, whatever its status: test pings, probes, verification. */
  async sendNow(subscription: WebhookSubscription, send: DirectSend): Promise<AttemptReport> {
    const event = Object.assign(new WebhookEvent(), {
      id: uuidv7(),
      tenantId: subscription.tenantId,
      listId: subscription.listId,
      type: send.type,
      source: send.source,
      data: send.data,
      occurredAt: new Date(),
    });
    const delivery = Object.assign(new WebhookDelivery(), {
      id: uuidv7(),
      eventId: event.id,
      subscriptionId: subscription.id,
      tenantId: subscription.tenantId,
      status: 'pending',
      attempts: 0,
      // Never due: the relay must not pick up a direct send while it is being made.
      nextAttemptAt: null,
    });
    await this.outbox.writeDirect(event, delivery);
    return this.attempt({
      delivery,
      event: { ...event, dataJson: JSON.stringify(event.data) },
      subscription,
      attempt: 1,
      trigger: send.trigger,
      retries: false,
      acceptResponse: send.acceptResponse,
    });
  }

  private async send(
    { delivery, event, subscription }: AttemptRequest,
    span: Span,
  ): Promise<SendOutcome> {
    const check = this.urlGuard.check(subscription.url);
    if (!check.allowed) {
      return {
        statusCode: null,
        durationMs: 0,
        errorKind: 'address_blocked',
        errorMessage: check.reason,
        responseExcerpt: null,
        retryAfterMs: null,
      };
    }
    let rendered: RenderedBody;
    try {
      rendered = subscription.template
        ? this.templates.render(subscription.template, templateEnvelope(event))
        : renderWebhookBody(event, subscription.payloadFormat);
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      return {
        statusCode: null,
        durationMs: 0,
        errorKind: 'template',
        errorMessage: error.message,
        responseExcerpt: null,
        retryAfterMs: null,
      };
    }
    const { body, contentType } = rendered;
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      ...subscription.headers,
      'content-type': contentType,
      'user-agent': this.options.userAgent,
      ...webhookHeaders(signingSecrets(subscription), { id: delivery.id, timestamp, body }),
    };
    if (this.options.propagateTraceContext) {
      const traceParent = this.tracer.traceParentHeader(span);
      if (traceParent) {
        // It replaces a custom header of the same name, whatever its case.
        for (const name of Object.keys(subscription.headers ?? {}))
          if (name.toLowerCase() === 'traceparent') delete headers[name];
        headers.traceparent = traceParent;
      }
    }
    return this.sender.send({ url: check.url, body, headers });
  }
}

/** The current secret, plus the previous one while its rotation grace lasts. */
export function signingSecrets(
  subscription: Pick<WebhookSubscription, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now = new Date(),
): string[] {
  const previousValid =
    subscription.previousSecret !== null &&
    subscription.previousSecretExpiresAt !== null &&
    new Date(subscription.previousSecretExpiresAt).getTime() > now.getTime();
  return previousValid
    ? [subscription.secret, subscription.previousSecret as string]
    : [subscription.secret];
}
