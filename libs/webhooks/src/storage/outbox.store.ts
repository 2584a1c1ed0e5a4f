import type { EntityManager } from 'typeorm';
import type { WebhookDelivery } from './entities/delivery.entity';
import type { WebhookEvent } from './entities/event.entity';

/** Subscriptions in these states get deliveries; paused and unverified ones hold theirs. */
export const RECEIVING_STATUSES = ['active', 'paused', 'pending_verification'] as const;

/** A delivery the outbox wrote: its id and its subscription's. */
export interface WrittenDelivery {
  id: string;
  subscriptionId: string;
}

/** The outbox: events and their deliveries, one per event and receiving subscription that matches. */
export abstract class OutboxStore {
  /**
   * Whether an event reads back exactly as written: its time to the millisecond (as every time the
   * store keeps), its data's JSON text unchanged. Only then may its deliveries' first attempts go
   * from the emit's copy of it, so that a redelivery sends the same body. (MySQL and MariaDB keep no
   * fraction of a second; MySQL also rewrites JSON.)
   */
  abstract readonly keepsEventsAsWritten: boolean;

  /**
   * Writes the events with their deliveries atomically: in `manager`'s transaction when it has one
   * under way, otherwise in one of its own. Returns the deliveries of each event, in the order of
   * `events`.
   */
  abstract write(
    events: readonly WebhookEvent[],
    manager?: EntityManager,
  ): Promise<WrittenDelivery[][]>;

  /** Writes an event with the one delivery given (a direct send: test ping, probe, challenge). */
  abstract writeDirect(event: WebhookEvent, delivery: WebhookDelivery): Promise<void>;
}
