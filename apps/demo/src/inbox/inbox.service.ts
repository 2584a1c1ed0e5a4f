import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import {
  DEFAULT_TENANT_ID,
  type SubscriptionScope,
  verifyWebhook,
  WebhookSubscriptionsService,
} from 'nestjs-marketing-webhooks';
import { concat, defer, from, type Observable, Subject } from 'rxjs';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import type { InboxChannel, InboxFormat } from '../seed/inbox-channels';
import { SeedService } from '../seed/seed.service';
import { readXmlEnvelope } from './xml-envelope';

export interface InboxEntry {
  /** 1 for the first delivery received since startup, then one more for each. */
  id: number;
  webhookId: string | null;
  verified: boolean;
  /** Where it arrived: `/inbox`, or a channel's path such as `/inbox/slack`. */
  path: string;
  /** How its body is written: the envelope as JSON, form or XML, or a Slack message. */
  format: InboxFormat;
  /** The name of the subscription whose secret signed it; null when none did. */
  subscription: string | null;
  /** The envelope's; a chat message has none of them but the list (its subscription's). */
  type: string | null;
  source: string | null;
  listId: string | null;
  /** The envelope's `data`, or the whole chat message. */
  data: unknown;
  /** A chat message's text, as a person reads it in the channel. */
  text?: string;
  /** The XML as it arrived. */
  xml?: string;
  receivedAt: string;
  /** Why verification failed. */
  error?: string;
}

/** What the request carried: its exact bytes, and the body as Express parsed it (JSON or form). */
export interface InboxDelivery {
  rawBody: Buffer | undefined;
  headers: IncomingHttpHeaders;
  parsedBody: unknown;
}

interface Signer {
  name: string | null;
  id: string;
  url: string;
  listId: string;
  secret: string;
}

type Contents = Pick<InboxEntry, 'type' | 'source' | 'listId' | 'data' | 'text' | 'xml'>;

const KEEP = 100;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The demo's own webhook receiver: verifies each delivery like a customer's endpoint would. */
@Injectable()
export class InboxService implements OnModuleDestroy {
  private readonly entries: InboxEntry[] = [];
  private readonly arrivals = new Subject<InboxEntry>();
  private lastId = 0;

  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly subscriptions: WebhookSubscriptionsService,
    private readonly seed: SeedService,
  ) {}

  /**
   * Records a delivery to `/inbox` (`channel` null) or to a channel's path; the entry says whether
   * its signature, checked over the exact bytes sent, matched the secret of a subscription that
   * delivers there. At `/inbox` the envelope's claimed list picks whose secrets to try; at a
   * channel's path, the path does (the seeded subscription of that channel), never the body.
   */
  async receive(channel: InboxChannel | null, delivery: InboxDelivery): Promise<InboxEntry> {
    const receivedAt = new Date().toISOString();
    const { headers, parsedBody } = delivery;
    const body = delivery.rawBody ?? Buffer.alloc(0);
    const path = channel === null ? '/inbox' : `/inbox/${channel.path}`;
    const format = channel?.format ?? (isForm(headers['content-type']) ? 'form' : 'json');
    const payload = isObject(parsedBody) ? parsedBody : {};

    let signer: Signer | undefined;
    let error: string | undefined;
    try {
      const candidates =
        channel === null
          ? await this.signersAt(path, claimedScope(payload))
          : await this.signersAt(path, this.seed.scopeOf(channel));
      signer = verifiedBy(candidates, body, headers);
    } catch (failure: unknown) {
      error = failure instanceof Error ? failure.message : String(failure);
    }

    const webhookId = headers['webhook-id'];
    // Numbered once verified, so that ids grow in the order entries are kept and streamed.
    const entry: InboxEntry = {
      id: ++this.lastId,
      webhookId: typeof webhookId === 'string' ? webhookId : null,
      verified: signer !== undefined,
      path,
      format,
      subscription: signer === undefined ? null : (signer.name ?? signer.id),
      ...contentsOf(format, payload, body, signer),
      receivedAt,
      ...(error !== undefined && { error }),
    };
    this.entries.unshift(entry);
    this.entries.length = Math.min(this.entries.length, KEEP);
    this.arrivals.next(entry);
    return entry;
  }

  /** Newest first. */
  list(): InboxEntry[] {
    return [...this.entries];
  }

  /**
   * The kept entries numbered after `afterId`, oldest first, then every new one as it arrives. An
   * `afterId` beyond the last number comes from before a restart: everything kept is new to it.
   */
  stream(afterId = 0): Observable<InboxEntry> {
    return defer(() => {
      const after = afterId > this.lastId ? 0 : afterId;
      const missed = this.entries.filter((entry) => entry.id > after).reverse();
      return concat(from(missed), this.arrivals);
    });
  }

  /** Ends the open streams, so that closing the server does not wait for their clients. */
  onModuleDestroy(): void {
    this.arrivals.complete();
  }

  /** The subscriptions of the scope that deliver to `path` of this inbox (seeded, or added over REST). */
  private async signersAt(path: string, scope: SubscriptionScope | null): Promise<Signer[]> {
    if (scope === null) return [];
    const page = await this.subscriptions.list(scope, { limit: 100 });
    return page.data.filter((subscription) => this.pointsAt(subscription.url, path));
  }

  private pointsAt(url: string, path: string): boolean {
    try {
      const parsed = new URL(url);
      return (
        LOOPBACK_HOSTS.has(parsed.hostname) &&
        Number(parsed.port || 80) === this.config.port &&
        parsed.pathname === path
      );
    } catch {
      return false;
    }
  }
}

/** At `/inbox`, the list the envelope claims: it only picks which secrets to try. */
function claimedScope(payload: Record<string, unknown>): SubscriptionScope | null {
  const { listId } = payload;
  if (typeof listId !== 'string' || listId.length > 128) return null;
  return { tenantId: DEFAULT_TENANT_ID, listId };
}

/** The subscription whose secret signed the body; throws why none did. */
function verifiedBy(candidates: Signer[], body: Buffer, headers: IncomingHttpHeaders): Signer {
  let failure: unknown;
  for (const candidate of candidates) {
    try {
      verifyWebhook(candidate.secret, body, headers);
      return candidate;
    } catch (error: unknown) {
      failure = error;
    }
  }
  // No candidate: the same check with no secret says what is wrong (headers, timestamp, signature).
  if (failure === undefined) verifyWebhook([], body, headers);
  throw failure;
}

/** What the entry shows of the body. Only verified XML is parsed; other bodies are only labels. */
function contentsOf(
  format: InboxFormat,
  payload: Record<string, unknown>,
  body: Buffer,
  signer: Signer | undefined,
): Contents {
  if (format === 'slack') {
    return {
      type: null,
      source: null,
      // A chat message does not say its list: the subscription that signed it does.
      listId: signer?.listId ?? null,
      data: payload,
      ...(typeof payload.text === 'string' && { text: payload.text }),
    };
  }
  if (format === 'xml') {
    const xml = body.toString('utf8');
    return { ...envelopeOf((signer && readXmlEnvelope(xml)) ?? {}), xml };
  }
  return envelopeOf(payload);
}

function envelopeOf(envelope: Record<string, unknown>): Contents {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    type: text(envelope.type),
    source: text(envelope.source),
    listId: text(envelope.listId),
    data: envelope.data ?? null,
  };
}

function isForm(contentType: string | undefined): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
