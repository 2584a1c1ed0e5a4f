import { ALL_LISTS } from '../webhooks.constants';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { GroupCommit } from '../common/group-commit';
import { DEFAULT_TENANT_ID } from '../webhooks.constants';
import { InvalidWebhookEventError, WebhookStorageError, WebhooksError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { EventCatalogue, type WebhookEventSource } from '../catalogue/event-catalogue';
import { WebhookEvent } from '../storage/entities/event.entity';
import { OutboxStore, type WrittenDelivery } from '../storage/outbox.store';
import type { FreshDelivery } from '../delivery/delivery.queue';
import type { AttemptEvent } from '../storage/delivery.store';
import { WebhooksTransactions } from '../storage/webhooks-transactions';
import { WebhooksTracer } from '../tracing/webhooks-tracer';
import { OutboxHandOff } from './outbox-hand-off';

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
  /**
   * Whom it is about, e.g. `contact:42`: `WebhooksErasureService.eraseSubject` later erases every
   * event given the same subject. An identifier of yours, not personal data itself.
   */
  subject?: string;
}

export interface EmitOptions {
  /** Write the event in this transaction (transactional outbox): delivered only if it commits. */
  manager?: EntityManager;
  /**
   * Deliveries of one subscription with the same key (e.g. the contact's id) reach the receiver in
   * emit order, one at a time: a later one waits while an earlier one is retried, until it succeeded
   * or was exhausted. Other keys and unkeyed events are not held back. See docs/delivery.md.
   */
  orderingKey?: string;
}

export interface EmitResult {
  eventId: string;
  /** Deliveries created, one per matching active subscription. */
  deliveryIds: string[];
}

const MAX_ID_LENGTH = 128;
const MAX_SUBJECT_LENGTH = 200;
const MAX_ORDERING_KEY_LENGTH = 200;
/** MySQL's DATETIME range, the narrowest of the databases. */
const EARLIEST_OCCURRED_AT = new Date('1000-01-01T00:00:00Z');
const LATEST_OCCURRED_AT = new Date('9999-12-31T23:59:59Z');
/** Events written by one transaction when many are emitted at once. */
const EMIT_BATCH = 100;

@Injectable()
export class WebhooksService {
  /** One write at a time: emits arriving meanwhile share the next transaction. */
  private readonly batches = new GroupCommit<WebhookEvent, string[]>(
    (events) => this.store(events),
    { maxBatch: EMIT_BATCH, maxConcurrentFlushes: 1 },
  );

  /**
   * Deliveries written in a host transaction, handed to Redis together once it commits, with the
   * `traceparent`s of their emits.
   */
  private readonly awaitingCommit = new WeakMap<
    QueryRunner,
    { deliveries: FreshDelivery[]; traceParents: Array<string | null> }
  >();

  /** Each event's data as it was serialized for checking: the JSON its first attempt sends. */
  private readonly dataJsonOf = new WeakMap<WebhookEvent, string>();

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly catalogue: EventCatalogue,
    private readonly outbox: OutboxStore,
    private readonly transactions: WebhooksTransactions,
    private readonly handOff: OutboxHandOff,
    private readonly tracer: WebhooksTracer,
  ) {}

  /**
   * Records an event and its deliveries. With `options.manager`, both are written in the caller's
   * transaction and enqueued after it commits. Without it, events emitted at about the same time
   * share one write (see GroupCommit). Resolves once they are stored; their deliveries reach Redis
   * in the background (see OutboxHandOff). Throws a WebhooksError, writing nothing, on bad input.
   */
  async emit(input: EmitWebhookEvent, options: EmitOptions = {}): Promise<EmitResult> {
    const event = this.toEvent(input, options.orderingKey);
    const span = this.tracer.startEmit(event);
    event.traceParent = this.tracer.traceParentOf(span);
    try {
      // Awaited here, not through another async function: each one costs every event a promise and
      // a turn of the microtask queue (bench S9, where emitting shares the process with delivering).
      const result = options.manager
        ? await this.writeIn(options.manager, event)
        : { eventId: event.id, deliveryIds: await this.batches.submit(event) };
      this.tracer.endEmit(span, result.deliveryIds.length);
      return result;
    } catch (error) {
      this.tracer.endWithError(span, error);
      if (error instanceof WebhooksError) throw error;
      throw new WebhookStorageError(
        `the event was not stored: the database failed (${describe(error)})`,
        error,
      );
    }
  }

  /** One event in the caller's transaction (or in one of its own on `manager`). */
  private async writeIn(manager: EntityManager, event: WebhookEvent): Promise<EmitResult> {
    const dueAt = dueBeforeWrite(this.outbox.keepsEventsAsWritten);
    const written = await this.outbox.write([event], manager);
    const deliveries = this.freshDeliveries([event], written, dueAt);
    if (!this.handOffAfterCommit(manager, deliveries, event.traceParent))
      await this.handOff.handOff(deliveries, '1 event', [event.traceParent]);
    return { eventId: event.id, deliveryIds: deliveries.map((delivery) => delivery.id) };
  }

  /** Writes a batch and hands its deliveries to Redis, whose answer the next batch does not wait for. */
  private async store(events: WebhookEvent[]): Promise<string[][]> {
    const dueAt = dueBeforeWrite(this.outbox.keepsEventsAsWritten);
    const written = await this.outbox.write(events);
    await this.handOff.handOff(
      this.freshDeliveries(events, written, dueAt),
      `${events.length} event(s)`,
      events.map((event) => event.traceParent),
    );
    return written.map((deliveries) => deliveries.map((delivery) => delivery.id));
  }

  /**
   * The deliveries written for `events` (in their order), as their first attempts get them: each
   * with its event (one object for all its deliveries) where the store keeps events as written.
   * @param dueAt from `dueBeforeWrite`.
   */
  private freshDeliveries(
    events: readonly WebhookEvent[],
    written: readonly WrittenDelivery[][],
    dueAt: Date,
  ): FreshDelivery[] {
    return events.flatMap((event, index) => {
      const carried = this.outbox.keepsEventsAsWritten ? this.attemptEvent(event) : undefined;
      return (written[index] ?? []).map((delivery) => ({
        id: delivery.id,
        subscriptionId: delivery.subscriptionId,
        ordered: (event.orderingKey ?? null) !== null,
        dueAt,
        event: carried,
      }));
    });
  }

  /** The event as an attempt reads it (see `FreshDelivery.event`). */
  private attemptEvent(event: WebhookEvent): AttemptEvent {
    const { id, tenantId, listId, type, source, occurredAt, traceParent, orderingKey } = event;
    const dataJson = this.dataJsonOf.get(event) ?? JSON.stringify(event.data);
    return { id, tenantId, listId, type, source, occurredAt, traceParent, orderingKey, dataJson };
  }

  /**
   * Holds deliveries until the host's transaction commits, and forgets them if it rolls back:
   * Redis never hears of a delivery the database does not have. False when `manager` has no
   * transaction under way (it was written and committed already).
   */
  private handOffAfterCommit(
    manager: EntityManager,
    deliveries: readonly FreshDelivery[],
    traceParent: string | null,
  ): boolean {
    const runner = manager.queryRunner;
    const held = runner && this.awaitingCommit.get(runner);
    if (held) {
      held.deliveries.push(...deliveries);
      held.traceParents.push(traceParent);
      return true;
    }
    const awaiting = {
      deliveries: [...deliveries],
      traceParents: [traceParent],
    };
    const deferred = this.transactions.afterCommit(
      manager,
      () => {
        this.awaitingCommit.delete(runner as QueryRunner);
        // Not awaited: the host's commit must not wait or fail because Redis is slow or down.
        void this.handOff.handOff(
          awaiting.deliveries,
          'a committed transaction',
          awaiting.traceParents,
        );
      },
      () => this.awaitingCommit.delete(runner as QueryRunner),
    );
    if (deferred) this.awaitingCommit.set(runner as QueryRunner, awaiting);
    return deferred;
  }

  private toEvent(input: EmitWebhookEvent, orderingKey: unknown): WebhookEvent {
    if (input === null || typeof input !== 'object') {
      throw new InvalidWebhookEventError('event', 'must be an object');
    }
    if (orderingKey !== undefined) assertOrderingKey(orderingKey);
    this.catalogue.assertEventType(input.type, 'type');
    this.catalogue.assertSource(input.source, 'source');
    const tenantId = input.tenantId ?? DEFAULT_TENANT_ID;
    assertIdentifier(tenantId, 'tenantId');
    const listId = typeof input.listId === 'number' ? String(input.listId) : input.listId;
    assertIdentifier(listId, 'listId');
    if (listId === ALL_LISTS) {
      throw new InvalidWebhookEventError(
        'listId',
        `must name a list: "${ALL_LISTS}" is the scope of subscriptions to every list`,
      );
    }
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
    if (occurredAt < EARLIEST_OCCURRED_AT || occurredAt > LATEST_OCCURRED_AT) {
      throw new InvalidWebhookEventError(
        'occurredAt',
        `must be between ${EARLIEST_OCCURRED_AT.toISOString()} and ${LATEST_OCCURRED_AT.toISOString()}`,
      );
    }
    if (
      input.subject !== undefined &&
      (typeof input.subject !== 'string' ||
        input.subject.length === 0 ||
        input.subject.length > MAX_SUBJECT_LENGTH)
    ) {
      throw new InvalidWebhookEventError(
        'subject',
        `must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`,
      );
    }
    const event = new WebhookEvent();
    this.dataJsonOf.set(event, serialized);
    Object.assign(event, {
      id: uuidv7(),
      tenantId,
      listId,
      type: input.type,
      source: input.source,
      data: JSON.parse(serialized) as Record<string, unknown>,
      occurredAt,
      subject: input.subject ?? null,
      traceParent: null,
      orderingKey: orderingKey ?? null,
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
  if (value.includes('\u0000')) throw new InvalidWebhookEventError(field, 'must not contain NUL');
}

function assertOrderingKey(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ORDERING_KEY_LENGTH) {
    throw new InvalidWebhookEventError(
      'orderingKey',
      `must be a non-empty string of at most ${MAX_ORDERING_KEY_LENGTH} characters`,
    );
  }
  if (value.includes('\u0000'))
    throw new InvalidWebhookEventError('orderingKey', 'must not contain NUL');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * A time no later than the due time of deliveries written from now on: now where the store keeps
 * milliseconds, else this second's start (MySQL and MariaDB keep no fraction of it: MySQL rounds,
 * MariaDB truncates). A due time earlier than needed makes an attempt look late to `AttemptLeases`.
 */
function dueBeforeWrite(keepsMilliseconds: boolean): Date {
  const now = Date.now();
  return new Date(keepsMilliseconds ? now : Math.floor(now / 1000) * 1000);
}
