import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import {
  DEFAULT_TENANT_ID,
  verifyWebhook,
  WebhookSubscriptionsService,
} from 'nestjs-marketing-webhooks';
import { concat, defer, from, type Observable, Subject } from 'rxjs';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';

export interface InboxEntry {
  /** 1 for the first delivery received since startup, then one more for each. */
  id: number;
  webhookId: string | null;
  verified: boolean;
  type: string | null;
  source: string | null;
  listId: string | null;
  data: unknown;
  receivedAt: string;
  /** Why verification failed. */
  error?: string;
}

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
  ) {}

  /**
   * Records the delivery; the entry says whether its signature matched one of the inbox's
   * subscriptions. `parsedBody` (JSON or form-encoded, as the subscription's format says) only
   * labels the entry; the signature is checked over `rawBody`, the exact bytes sent.
   */
  async receive(
    rawBody: Buffer | undefined,
    headers: IncomingHttpHeaders,
    parsedBody: unknown,
  ): Promise<InboxEntry> {
    const receivedAt = new Date().toISOString();
    const body = rawBody ?? Buffer.alloc(0);
    const payload = isObject(parsedBody) ? parsedBody : {};
    const listId = typeof payload.listId === 'string' ? payload.listId : null;
    const webhookId = headers['webhook-id'];
    let error: string | undefined;
    try {
      // The claimed list only picks which secrets to try; the signature is what is trusted.
      verifyWebhook(listId === null ? [] : await this.secretsOf(listId), body, headers);
    } catch (failure: unknown) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    // Numbered once verified, so that ids grow in the order entries are kept and streamed.
    const entry: InboxEntry = {
      id: ++this.lastId,
      webhookId: typeof webhookId === 'string' ? webhookId : null,
      verified: error === undefined,
      type: typeof payload.type === 'string' ? payload.type : null,
      source: typeof payload.source === 'string' ? payload.source : null,
      listId,
      data: payload.data ?? null,
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

  /** Secrets of the list's subscriptions that deliver here (the seeded one, or any added over REST). */
  private async secretsOf(listId: string): Promise<string[]> {
    if (listId.length > 128) return [];
    const page = await this.subscriptions.list(
      { tenantId: DEFAULT_TENANT_ID, listId },
      { limit: 100 },
    );
    return page.data
      .filter((subscription) => this.pointsHere(subscription.url))
      .map((subscription) => subscription.secret);
  }

  private pointsHere(url: string): boolean {
    try {
      const parsed = new URL(url);
      return (
        LOOPBACK_HOSTS.has(parsed.hostname) &&
        Number(parsed.port || 80) === this.config.port &&
        parsed.pathname === '/inbox'
      );
    } catch {
      return false;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
