import type { WebhookDelivery } from './entities/delivery.entity';
import type { WebhookEvent } from './entities/event.entity';
import type { WebhookSubscription } from './entities/subscription.entity';

export const ATTEMPT_DELIVERY_COLUMNS = [
  'id',
  'eventId',
  'subscriptionId',
  'tenantId',
  'status',
  'attempts',
  'nextAttemptAt',
  'orderingKey',
] as const;
export const ATTEMPT_EVENT_COLUMNS = [
  'id',
  'tenantId',
  'listId',
  'type',
  'source',
  'occurredAt',
  'traceParent',
  'orderingKey',
] as const;
export const ATTEMPT_SUBSCRIPTION_COLUMNS = [
  'id',
  'tenantId',
  'listId',
  'url',
  'status',
  'secret',
  'previousSecret',
  'previousSecretExpiresAt',
  'payloadFormat',
  'headers',
  'template',
  'rateLimit',
  'consecutiveFailures',
  'lastSuccessAt',
] as const;

/** What an attempt reads of each row: the columns the hot path loads, nothing more. */
export type AttemptDelivery = Pick<WebhookDelivery, (typeof ATTEMPT_DELIVERY_COLUMNS)[number]>;
export type AttemptEvent = Pick<WebhookEvent, (typeof ATTEMPT_EVENT_COLUMNS)[number]> & {
  /** `data` as stored: the body carries it as it is (see `renderWebhookBody`). */
  dataJson: string;
};
export type AttemptSubscription = Pick<
  WebhookSubscription,
  (typeof ATTEMPT_SUBSCRIPTION_COLUMNS)[number]
>;

/**
 * A class, not an object literal: V8 may decide to allocate the objects of a literal straight in the
 * old generation (allocation-site pretenuring), and did so for this one during the worker's cold
 * start, when attempts took hundreds of milliseconds. Such an object, dead a few milliseconds later,
 * keeps its row's young strings alive until the next full collection: every loaded row got promoted
 * (12 MB/s at 2,500 attempts/s), and V8 then grew the heap to four times what survived.
 */
export class LoadedDelivery {
  constructor(
    readonly delivery: AttemptDelivery,
    readonly event: AttemptEvent,
    readonly subscription: AttemptSubscription,
    /**
     * A keyed delivery (an `orderingKey`): whether an earlier delivery of its subscription and key was
     * unfinished when it was loaded, i.e. whether it is not its turn (see `OrderingTurn`). False for
     * an unkeyed one.
     */
    readonly behindEarlier = false,
    /**
     * The earlier delivery's turn when the row was built from one just asked (see `CarriedRows`):
     * waiting for it starts from that answer instead of asking again.
     */
    readonly earlierTurn?: OrderingTurn,
  ) {}
}

/** One attempt of one delivery: what a queue job names. */
export interface AttemptRef {
  deliveryId: string;
  attempt: number;
}

/** A delivery as the log shows it: with its event's type. */
export type ListedDelivery = WebhookDelivery & { eventType: string };

export interface DeliveryPageQuery {
  tenantId: string;
  subscriptionId: string;
  status?: WebhookDelivery['status'];
  /** Only deliveries of events of this type. */
  eventType?: string;
  /** Only deliveries with a smaller id (the cursor). */
  beforeId?: string;
  limit: number;
}

export interface RecoverableQuery {
  tenantId: string;
  subscriptionId: string;
  /** Only deliveries of events whose id is at least this (UUIDv7 lower bound of a time). */
  fromEventId: string;
  /** Event types never recovered (direct sends). */
  excludedTypes: readonly string[];
  limit: number;
}

/** The first unfinished delivery of a subscription and ordering key: the one whose turn it is. */
export interface OrderingTurn extends AttemptRef {
  nextAttemptAt: Date | null;
}

/** One ordering key of one subscription. */
export interface OrderingKeyRef {
  subscriptionId: string;
  orderingKey: string;
}

export type RequeueOutcome = 'requeued' | 'merged' | 'gone';

/** Deliveries: what the worker loads, when each is due, held and requeued ones, the delivery log. */
export abstract class DeliveryStore {
  /**
   * What attempts need, delivery, event and subscription, in one statement for all `ids` (in their
   * order; null when the delivery, its event or its subscription no longer exists).
   */
  abstract loadForAttempts(ids: readonly string[]): Promise<Array<LoadedDelivery | null>>;

  /** Sets when attempts are due, for pending or failed deliveries still waiting for exactly those. */
  abstract setDue(attempts: readonly AttemptRef[], at: Date): Promise<void>;

  /** The next attempts of pending or failed deliveries due by `cutoff`, by id after `afterId`. */
  abstract findDue(cutoff: Date, afterId: string | null, limit: number): Promise<AttemptRef[]>;

  /**
   * For each key, the unfinished (pending, failed or held) delivery with the smallest id among the
   * subscription's deliveries with that `orderingKey`; null when all are final (succeeded, exhausted,
   * cancelled). One statement for many keys: every keyed attempt asks.
   */
  abstract findOrderingTurns(keys: readonly OrderingKeyRef[]): Promise<Array<OrderingTurn | null>>;

  /** Held deliveries whose subscription is active again become pending, due at `dueAt`. */
  abstract releaseOrphanedHolds(dueAt: Date): Promise<void>;

  /** Marks a delivery held (no due time), if it is still at `attempts` and not cancelled. */
  abstract hold(deliveryId: string, attempts: number): Promise<void>;

  /** Undoes `hold`: pending and due now, if it is still held. */
  abstract unhold(deliveryId: string): Promise<void>;

  /** Up to `limit` held deliveries of the subscription, oldest first, made pending and due `at`. */
  abstract releaseHeld(subscriptionId: string, limit: number, at: Date): Promise<AttemptRef[]>;

  /** Makes deliveries pending and due `at`, whatever their state but cancelled (redelivery, recovery). */
  abstract requeue(deliveryIds: readonly string[], at: Date): Promise<void>;

  /**
   * Makes one delivery pending and due `at`: `merged` when it was pending already (its next attempt
   * was queued before, by a redelivery or a retry, and is only brought forward), `gone` when it is no
   * longer there to requeue (pruned by retention, or cancelled by an erasure, since it was read).
   */
  abstract requeueOne(deliveryId: string, at: Date): Promise<RequeueOutcome>;

  /** A delivery of the subscription, within its tenant. */
  abstract findOne(
    tenantId: string,
    subscriptionId: string,
    deliveryId: string,
  ): Promise<WebhookDelivery | null>;

  /** Failed or exhausted deliveries to retry, oldest first. */
  abstract findRecoverable(query: RecoverableQuery): Promise<AttemptRef[]>;

  /** The delivery log of a subscription, newest first, `limit` rows at most. */
  abstract listPage(query: DeliveryPageQuery): Promise<ListedDelivery[]>;

  /** When the oldest pending or failed delivery was due (null when none is). */
  abstract oldestDueAt(): Promise<Date | null>;
}
