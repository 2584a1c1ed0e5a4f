import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { GroupCommit } from '../common/group-commit';
import { WebhooksTransactions } from '../common/webhooks-transactions';
import { DeliveryQueue } from '../delivery/delivery.queue';
import { DEFAULT_TENANT_ID } from '../webhooks.constants';
import { InvalidWebhookEventError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { EventCatalogue, type WebhookEventSource } from './event-catalogue';
import { WebhookEvent } from './event.entity';
import { OutboxWriter } from './outbox-writer';
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

/** A batched emit's result: its deliveries, and when the batch has been handed to Redis. */
interface StoredEvent {
  deliveryIds: string[];
  enqueued: Promise<void>;
}

const MAX_ID_LENGTH = 128;
/** Events written by one transaction when many are emitted at once. */
const EMIT_BATCH = 100;

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');

  /** One write at a time: emits arriving meanwhile share the next transaction. */
  private readonly batches = new GroupCommit<WebhookEvent, StoredEvent>(
    (events) => this.store(events),
    { maxBatch: EMIT_BATCH, maxConcurrentFlushes: 1 },
  );

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
    private readonly catalogue: EventCatalogue,
    private readonly writer: OutboxWriter,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly outbox: OutboxCommitSubscriber,
  ) {}

  /**
   * Records an event and its deliveries. With `options.manager`, both are written in the caller's
   * transaction and enqueued after it commits. Without it, events emitted at about the same time
   * share one transaction (see GroupCommit). Throws a WebhooksError, writing nothing, on bad input.
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
      await this.enqueue(1, [deliveryIds]);
      return { eventId: event.id, deliveryIds };
    }
    const { deliveryIds, enqueued } = await this.batches.submit(event);
    await enqueued;
    return { eventId: event.id, deliveryIds };
  }

  /**
   * Writes a batch, then hands its deliveries to Redis without holding up the next batch: the
   * statements stay one at a time (the batch keeps growing with the load), and the enqueue, a fifth
   * of each cycle in the bench, overlaps the next write instead of adding to it.
   */
  private async store(events: WebhookEvent[]): Promise<StoredEvent[]> {
    const work = (manager: EntityManager) => this.writer.write(manager, events);
    const deliveryIds = this.writer.singleStatement
      ? await work(this.dataSource.manager)
      : await this.transactions.run(work);
    const enqueued = this.enqueue(events.length, deliveryIds);
    return deliveryIds.map((ids) => ({ deliveryIds: ids, enqueued }));
  }

  /** Never rejects. Stored is what counts: the relay enqueues what Redis did not hear of. */
  private enqueue(eventCount: number, deliveryIds: string[][]): Promise<void> {
    return this.deliveryQueue.enqueueFirstAttempts(deliveryIds.flat()).catch((error: unknown) => {
      this.logger.warn(
        `${eventCount} event(s) stored; enqueueing their deliveries failed: ${String(error)}`,
      );
    });
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
