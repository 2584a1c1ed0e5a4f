import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  DEFAULT_TENANT_ID,
  type InboundWebhookEvent,
  WebhookInboundService,
  WebhooksTransactions,
} from 'nestjs-marketing-webhooks';
import { In, type EntityManager, type Repository } from 'typeorm';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import { SeedService } from '../seed/seed.service';
import { IntegrationReceipt } from './integration-receipt.entity';
import { INTEGRATIONS, type Integration } from './integrations';

/** What a handler did with an event: one line, and the contact it touched. */
export interface Outcome {
  outcome: string;
  contactId: number | null;
}

/** An integration as `GET /integrations` shows it: where to send, and what arrived lately. */
export interface IntegrationView extends Integration {
  endpointId: string;
  /** The receiving path, under this demo's origin. */
  path: string;
  url: string;
  /** The latest received events, newest first, with what the demo did with each. */
  events: Array<{
    id: string;
    type: string | null;
    providerEventId: string | null;
    status: string;
    attempts: number;
    lastError: string | null;
    receivedAt: Date;
    outcome: string | null;
  }>;
}

const RECENT = 10;

@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger('Integrations');

  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    private readonly transactions: WebhooksTransactions,
    private readonly inbound: WebhookInboundService,
    private readonly seed: SeedService,
    @InjectRepository(IntegrationReceipt) private readonly receipts: Repository<IntegrationReceipt>,
  ) {}

  /**
   * Runs `work` once per inbound event, whatever the number of attempts: its changes and the receipt
   * of the event commit together, and a run that finds the receipt does nothing. A throw rolls both
   * back, and the library retries the event.
   */
  async once(
    event: InboundWebhookEvent,
    work: (manager: EntityManager, listId: number) => Promise<Outcome>,
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      if (await manager.existsBy(IntegrationReceipt, { inboundEventId: event.id })) return;
      const listId = Number(event.listId);
      const { outcome, contactId } =
        Number.isSafeInteger(listId) && listId > 0
          ? await work(manager, listId)
          : { outcome: 'ignored: the endpoint has no list', contactId: null };
      await manager.insert(IntegrationReceipt, {
        inboundEventId: event.id,
        provider: event.provider,
        type: event.type,
        outcome: outcome.slice(0, 500),
        contactId,
      });
      this.logger.log(
        `${event.provider} ${event.type ?? ''} ${event.providerEventId ?? event.id}: ${outcome}`,
      );
    });
  }

  /** The seeded list's three endpoints, with their receiving URLs and latest events. */
  async list(): Promise<IntegrationView[]> {
    const scope = { tenantId: DEFAULT_TENANT_ID };
    const endpoints = (
      await this.inbound.list(scope, { listId: String(this.seed.listId), limit: 100 })
    ).data;
    const views: IntegrationView[] = [];
    for (const integration of INTEGRATIONS) {
      const endpoint = endpoints.find((candidate) => candidate.name === integration.name);
      if (!endpoint) continue;
      const events = (await this.inbound.listEvents(scope, endpoint.id, { limit: RECENT })).data;
      const receipts =
        events.length === 0
          ? []
          : await this.receipts.findBy({ inboundEventId: In(events.map((event) => event.id)) });
      const outcomes = new Map(
        receipts.map((receipt) => [receipt.inboundEventId, receipt.outcome]),
      );
      views.push({
        ...integration,
        endpointId: endpoint.id,
        path: endpoint.path,
        url: `${this.config.publicUrl}${endpoint.path}`,
        events: events.map((event) => ({
          id: event.id,
          type: event.type,
          providerEventId: event.providerEventId,
          status: event.status,
          attempts: event.attempts,
          lastError: event.lastError,
          receivedAt: event.receivedAt,
          outcome: outcomes.get(event.id) ?? null,
        })),
      });
    }
    return views;
  }
}
