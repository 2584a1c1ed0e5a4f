import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { GroupCommit } from '../common/group-commit';
import { WebhooksTransactions } from '../storage/webhooks-transactions';
import { DEFAULT_TENANT_ID } from '../webhooks.constants';
import { InvalidWebhookEventError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { EventCatalogue, type WebhookEventSource } from '../catalogue/event-catalogue';
import { WebhookEvent } from '../storage/entities/event.entity';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';
import { OutboxHandOff } from './outbox-hand-off';
import { OutboxWriter } from './outbox-writer';

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
/** Events written by one transaction when many are emitted at once. */
const EMIT_BATCH = 100;

@Injectable()
export class WebhooksService {
  /** One write at a time: emits arriving meanwhile share the next transaction. */
  private readonly batches = new GroupCommit<WebhookEvent, string[]>(
    (events) => this.store(events),
    { maxBatch: EMIT_BATCH, maxConcurrentFlushes: 1 },
  );

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
    private readonly catalogue: EventCatalogue,
    private readonly writer: OutboxWriter,
    private readonly handOff: OutboxHandOff,
    private readonly outbox: OutboxCommitSubscriber,
  ) {}

  /**
   * Records an event and its deliveries. With `options.manager`, both are written in the caller's
   * transaction and enqueued after it commits. Without it, events emitted at about the same time
   * share one transaction (see GroupCommit). Resolves once they are stored; their deliveries reach
   * Redis in the background (see OutboxHandOff). Throws a WebhooksError, writing nothing, on bad
   * input.
   */
  async emit(input: EmitWebhookEvent, options: EmitOptions = {}): Promise<EmitResult> {
    const event = this.toEvent(input);
    const queryRunner = options.manager?.queryRunner;
    if (options.manager && queryRunner?.isTransactionActive) {
      const [deliveryIds] = await this.writer.write(options.manager, [event]);
      this.outbox.deferUntilCommit(queryRunner, deliveryIds);
      return { eventId: event.id, deliveryIds };
    }
    if (options.manager) {
      const [deliveryIds] = await options.manager.transaction((transactional) =>
        this.writer.write(transactional, [event]),
      );
      await this.handOff.handOff(deliveryIds, '1 event');
      return { eventId: event.id, deliveryIds };
    }
    const deliveryIds = await this.batches.submit(event);
    return { eventId: event.id, deliveryIds };
  }

  /** Writes a batch and hands its deliveries to Redis, whose answer the next batch does not wait for. */
  private async store(events: WebhookEvent[]): Promise<string[][]> {
    const work = (manager: EntityManager) => this.writer.write(manager, events);
    const deliveryIds = this.writer.singleStatement
      ? await work(this.dataSource.manager)
      : await this.transactions.run(work);
    await this.handOff.handOff(deliveryIds.flat(), `${events.length} event(s)`);
    return deliveryIds;
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
