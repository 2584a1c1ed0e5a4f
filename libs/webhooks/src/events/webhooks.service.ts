import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { WebhooksTransactions } from '../common/webhooks-transactions';
import { DeliveryQueue } from '../delivery/delivery.queue';
import { FanOutService } from '../delivery/fan-out.service';
import { DEFAULT_TENANT_ID } from '../webhooks.constants';
import { InvalidWebhookEventError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { EventCatalogue, type WebhookEventSource } from './event-catalogue';
import { WebhookEvent } from './event.entity';
import { insertEvent } from './insert-event';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';

export interface EmitWebhookEvent {
  /** The platform account. Default: the single-tenant default. */
  tenantId?: string;
  listId: string | number;
  type: string;
  source: WebhookEventSource;
  /** What a receiver needs without calling back: the contact, the campaign, the clicked link… */
  data: Record<string, unknown>;
  /** When it happened. Default: now. */
  occurredAt?: Date;
}

export interface EmitOptions {
  /** Write the event in this transaction (transactional outbox): delivered only if it commits. */
  manager?: EntityManager;
}

export interface EmitResult {
  eventId: string;
  /** Deliveries created, one per matching active subscription. */
  deliveryIds: string[];
}

const MAX_ID_LENGTH = 128;

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly transactions: WebhooksTransactions,
    private readonly catalogue: EventCatalogue,
    private readonly fanOut: FanOutService,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly outbox: OutboxCommitSubscriber,
  ) {}

  /**
   * Records an event and its deliveries. With `options.manager`, both are written in the caller's
   * transaction and enqueued after it commits. Throws a WebhooksError, writing nothing, on bad input.
   */
  async emit(input: EmitWebhookEvent, options: EmitOptions = {}): Promise<EmitResult> {
    const event = this.toEvent(input);
    const write = async (manager: EntityManager) => {
      await insertEvent(manager, event);
      return this.fanOut.fanOut(manager, event);
    };

    const queryRunner = options.manager?.queryRunner;
    if (options.manager && queryRunner?.isTransactionActive) {
      const deliveryIds = await write(options.manager);
      this.outbox.deferUntilCommit(queryRunner, deliveryIds);
      return { eventId: event.id, deliveryIds };
    }

    const deliveryIds = options.manager
      ? await options.manager.transaction(write)
      : await this.transactions.run(write);
    await this.deliveryQueue.enqueueFirstAttempts(deliveryIds).catch((error: unknown) => {
      this.logger.warn(
        `Event ${event.id} stored; enqueueing its deliveries failed: ${String(error)}`,
      );
    });
    return { eventId: event.id, deliveryIds };
  }

  private toEvent(input: EmitWebhookEvent): WebhookEvent {
    if (input === null || typeof input !== 'object') {
      throw new InvalidWebhookEventError('event', 'must be an object');
    }
    this.catalogue.assertEventType(input.type, 'type');
    this.catalogue.assertSource(input.source, 'source');
    const tenantId = input.tenantId ?? DEFAULT_TENANT_ID;
    assertIdentifier(tenantId, 'tenantId');
    const listId = typeof input.listId === 'number' ? String(input.listId) : input.listId;
    assertIdentifier(listId, 'listId');
    if (input.data === null || typeof input.data !== 'object' || Array.isArray(input.data)) {
      throw new InvalidWebhookEventError('data', 'must be a plain object');
    }
    let serialized: string;
    try {
      serialized = JSON.stringify(input.data);
    } catch {
      throw new InvalidWebhookEventError('data', 'must be JSON-serializable');
    }
    if (Buffer.byteLength(serialized) > this.options.maxPayloadBytes) {
      throw new InvalidWebhookEventError(
        'data',
        `must not exceed ${this.options.maxPayloadBytes} bytes`,
      );
    }
    const occurredAt = input.occurredAt ?? new Date();
    if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
      throw new InvalidWebhookEventError('occurredAt', 'must be a valid Date');
    }
    const event = new WebhookEvent();
    Object.assign(event, {
      id: uuidv7(),
      tenantId,
      listId,
      type: input.type,
      source: input.source,
      data: JSON.parse(serialized) as Record<string, unknown>,
      occurredAt,
    });
    return event;
  }
}

function assertIdentifier(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new InvalidWebhookEventError(
      field,
      `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
    );
  }
}
