import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { WebhookNotifier } from '../lifecycle/webhook-notifier';
import { WEBHOOK_LIFECYCLE_EVENTS } from '../lifecycle/webhook-lifecycle.events';
import { WebhooksMetrics } from '../metrics/webhooks-metrics';
import type { WebhookInboundEndpoint } from '../storage/entities/inbound-endpoint.entity';
import { InboundEndpointStore } from '../storage/inbound-endpoint.store';
import { InboundEventStore } from '../storage/inbound-event.store';
import { WebhooksTracer } from '../tracing/webhooks-tracer';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { InboundQueue } from './inbound.queue';
import { InboundSchemes } from './inbound-schemes';
import { wholeSecond } from './inbound-retry';
import type { InboundSchemeRequest } from './schemes/inbound-scheme';

export type ReceiveOutcome = 'received' | 'duplicate' | 'unknown_endpoint' | 'rejected';

/** Headers every stored event keeps, besides those its scheme names. */
const ALWAYS_KEPT = ['content-type', 'user-agent'];
const MAX_ID_LENGTH = 200;

/** The secrets a request may be signed with: the current one, and the previous one in its grace period. */
export function acceptedSecrets(endpoint: WebhookInboundEndpoint, now: Date): string[] {
  const secrets = [endpoint.secret];
  if (
    endpoint.previousSecret !== null &&
    endpoint.previousSecretExpiresAt !== null &&
    endpoint.previousSecretExpiresAt.getTime() > now.getTime()
  ) {
    secrets.push(endpoint.previousSecret);
  }
  return secrets;
}

/**
 * The receiving side: verify on the raw bytes, store once, hand to the queue, and only then answer.
 * Nothing of an unverified request is parsed or stored.
 */
@Injectable()
export class InboundReceiver {
  private readonly logger = new Logger('WebhooksInbound');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly endpoints: InboundEndpointStore,
    private readonly events: InboundEventStore,
    private readonly schemes: InboundSchemes,
    private readonly queue: InboundQueue,
    private readonly metrics: WebhooksMetrics,
    private readonly notifier: WebhookNotifier,
    private readonly tracer: WebhooksTracer,
  ) {}

  findEndpoint(token: string): Promise<WebhookInboundEndpoint | null> {
    return this.endpoints.findByToken(token);
  }

  /** Counts and tells of a request refused before verification (too large). */
  refuseTooLarge(endpoint: WebhookInboundEndpoint): void {
    this.metrics.recordInboundRequest('too_large', endpoint.scheme);
    this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.inboundRejected, {
      tenantId: endpoint.tenantId,
      endpointId: endpoint.id,
      provider: endpoint.scheme,
      reason: 'too_large',
    });
  }

  async receive(
    endpoint: WebhookInboundEndpoint,
    body: Buffer,
    headers: Record<string, string | undefined>,
    now = new Date(),
  ): Promise<Exclude<ReceiveOutcome, 'unknown_endpoint'>> {
    const span = this.tracer.startInboundReceive(endpoint);
    try {
      const { outcome, event } = await this.verifyAndStore(endpoint, body, headers, now);
      this.tracer.endInboundReceive(span, outcome, event);
      return outcome;
    } catch (error) {
      this.tracer.endWithError(span, error);
      throw error;
    }
  }

  private async verifyAndStore(
    endpoint: WebhookInboundEndpoint,
    body: Buffer,
    headers: Record<string, string | undefined>,
    now: Date,
  ): Promise<{
    outcome: Exclude<ReceiveOutcome, 'unknown_endpoint'>;
    event?: { id: string; type: string | null };
  }> {
    const scheme = this.schemes.get(endpoint.scheme);
    const request: InboundSchemeRequest = {
      body,
      headers,
      secrets: acceptedSecrets(endpoint, now),
      settings: endpoint.settings ?? {},
      now,
      toleranceMs: this.options.inboundToleranceMs,
    };
    if (!scheme || !this.verified(scheme.name, () => scheme.verify(request))) {
      if (!scheme)
        this.logger.error(`Inbound endpoint ${endpoint.id} has unknown scheme ${endpoint.scheme}`);
      this.metrics.recordInboundRequest('rejected', endpoint.scheme);
      this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.inboundRejected, {
        tenantId: endpoint.tenantId,
        endpointId: endpoint.id,
        provider: endpoint.scheme,
        reason: 'unverified',
      });
      return { outcome: 'rejected' };
    }
    const identity = scheme.identify?.(request) ?? {};
    const providerEventId = identity.id ? String(identity.id).slice(0, 255) : null;
    const type = identity.type ? String(identity.type).slice(0, 200) : null;
    const id = uuidv7();
    const receivedAt = wholeSecond(now);
    const inserted = await this.events.insertIfNew({
      id,
      endpointId: endpoint.id,
      tenantId: endpoint.tenantId,
      listId: endpoint.listId,
      scheme: endpoint.scheme,
      dedupKey: this.dedupKey(providerEventId, body, now),
      providerEventId,
      type,
      headers: keptHeaders(headers, [...ALWAYS_KEPT, ...(scheme.keptHeaders ?? [])]),
      body: body.toString('utf8'),
      nextAttemptAt: receivedAt,
      receivedAt,
    });
    this.metrics.recordInboundRequest(inserted ? 'received' : 'duplicate', endpoint.scheme);
    this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.inboundReceived, {
      tenantId: endpoint.tenantId,
      listId: endpoint.listId,
      endpointId: endpoint.id,
      eventId: inserted ? id : null,
      provider: endpoint.scheme,
      type,
      duplicate: !inserted,
    });
    if (!inserted) return { outcome: 'duplicate' };
    // Stored is what counts: if Redis is away, the relay enqueues it later.
    await this.queue
      .enqueue([{ id, attempt: 1 }])
      .catch((error: unknown) =>
        this.logger.warn(`Inbound event ${id} stored, not queued yet: ${String(error)}`),
      );
    return { outcome: 'received', event: { id, type } };
  }

  /** A host's scheme that throws refuses the request, like one that says no. */
  private verified(scheme: string, verify: () => boolean): boolean {
    try {
      return verify() === true;
    } catch (error) {
      this.logger.error(`Inbound scheme ${scheme} threw while verifying: ${String(error)}`);
      return false;
    }
  }

  /**
   * The provider's event id when it sends one; otherwise the body's digest within its window of
   * `inbound.duplicateWindowMs` (windows are fixed: the same body on both sides of a boundary is
   * taken twice).
   */
  private dedupKey(providerEventId: string | null, body: Buffer, now: Date): string {
    if (providerEventId) {
      return providerEventId.length <= MAX_ID_LENGTH
        ? `id:${providerEventId}`
        : `id-sha256:${createHash('sha256').update(providerEventId).digest('hex')}`;
    }
    const window = Math.floor(now.getTime() / this.options.inboundDuplicateWindowMs);
    return `body-sha256:${createHash('sha256').update(body).digest('hex')}:${window}`;
  }
}

function keptHeaders(
  headers: Record<string, string | undefined>,
  names: readonly string[],
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value !== undefined) kept[name] = value.slice(0, 1_000);
  }
  return kept;
}
