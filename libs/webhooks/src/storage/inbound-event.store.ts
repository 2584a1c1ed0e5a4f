import type { InboundEventStatus, WebhookInboundEvent } from './entities/inbound-event.entity';

/** A verified request as it is stored. */
export type NewInboundEvent = Omit<
  WebhookInboundEvent,
  'status' | 'attempts' | 'lastError' | 'processedAt'
>;

/** An event as the admin API lists it: everything but the body. */
export type ListedInboundEvent = Omit<WebhookInboundEvent, 'body'>;

export interface InboundEventPageQuery {
  endpointId: string;
  status?: InboundEventStatus;
  beforeId?: string;
  limit: number;
}

/** How a processing attempt ended. */
export type InboundAttemptEnd =
  | { status: 'processed'; at: Date }
  | { status: 'received'; nextAttemptAt: Date; error: string }
  | { status: 'failed'; at: Date; error: string };

/** An event due for processing, and the attempt that would process it next. */
export interface DueInboundEvent {
  id: string;
  attempt: number;
}

/**
 * The durable inbox. Deduplication is the unique key (endpoint, dedupKey): a repeated request loses
 * the insert, whatever the number of processes receiving at once.
 */
export abstract class InboundEventStore {
  /** Stores the event unless its endpoint has one with the same `dedupKey`. Returns whether it did. */
  abstract insertIfNew(event: NewInboundEvent): Promise<boolean>;

  /**
   * Takes the event for one processing attempt if it is due at `now` (`received`, or `processing`
   * with an expired lease): `processing` until `leaseUntil`, one more attempt. Null when another
   * worker has it or it is settled.
   */
  abstract claim(id: string, now: Date, leaseUntil: Date): Promise<WebhookInboundEvent | null>;

  /** Ends attempt `attempt`, if the event is still held for it. Returns whether it was. */
  abstract finish(id: string, attempt: number, end: InboundAttemptEnd): Promise<boolean>;

  /** Due at `cutoff` (received, or a lease that expired), by id after `afterId`. */
  abstract findDue(cutoff: Date, afterId: string | null, limit: number): Promise<DueInboundEvent[]>;

  /** Newest first. */
  abstract listPage(query: InboundEventPageQuery): Promise<ListedInboundEvent[]>;

  abstract findInEndpoint(endpointId: string, id: string): Promise<ListedInboundEvent | null>;

  /**
   * Deletes up to `limit` events `processed` before `processedBefore` or `failed` before
   * `failedBefore` (a null bound keeps them). Returns how many went.
   */
  abstract pruneSettled(
    processedBefore: Date | null,
    failedBefore: Date | null,
    limit: number,
  ): Promise<number>;

  /**
   * Makes a settled event (`processed` or `failed`) due again at `at`, with a fresh retry schedule.
   * Returns the attempt that will process it, or null when it is not settled.
   */
  abstract replay(endpointId: string, id: string, at: Date): Promise<DueInboundEvent | null>;

  /** When the longest-waiting event still to be processed became due; null if none is. */
  abstract oldestDueAt(): Promise<Date | null>;
}
