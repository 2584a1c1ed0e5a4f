import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * `received`: stored, waiting for (another) processing attempt at `nextAttemptAt`. `processing`: a
 * worker holds it until `nextAttemptAt` (its lease). `processed`: every handler returned. `failed`:
 * the retry schedule ran out.
 */
export const INBOUND_EVENT_STATUSES = ['received', 'processing', 'processed', 'failed'] as const;
export type InboundEventStatus = (typeof INBOUND_EVENT_STATUSES)[number];

/**
 * A verified inbound request, stored before the sender got its 2xx. Unique on the endpoint and the
 * deduplication key (the provider's event id, or a hash of the body within a window), so a repeated
 * delivery is a constraint violation, never a second row.
 */
@Entity('webhook_inbound_events')
@Unique('UQ_webhook_inbound_events_dedup', ['endpointId', 'dedupKey'])
@Index('IDX_webhook_inbound_events_endpoint', ['endpointId', 'id'])
@Index('IDX_webhook_inbound_events_due', ['status', 'nextAttemptAt'])
export class WebhookInboundEvent {
  /** UUIDv7: time-ordered. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  endpointId!: string;

  @Column({ type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  listId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  scheme!: string;

  @Column({ type: 'varchar', length: 255 })
  dedupKey!: string;

  /** The provider's id of the event (Stripe `id`, `X-GitHub-Delivery`, `webhook-id`…), when it has one. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  providerEventId!: string | null;

  /** The provider's event type (Stripe `type`, `X-GitHub-Event`, `X-Shopify-Topic`…), when it has one. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  type!: string | null;

  /** The headers the scheme names, lower-cased. */
  @Column({ type: 'json' })
  headers!: Record<string, string>;

  /**
   * The raw body as text. A JSON column holding one string: it keeps the text exactly on every
   * database, and MySQL's JSON is not capped at 64 KiB as its TEXT is.
   */
  @Column({ type: 'json' })
  body!: string;

  @Column({ type: 'varchar', length: 16, default: 'received' })
  status!: InboundEventStatus;

  /** Processing attempts started. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** When `received`: the next attempt; when `processing`: the end of the worker's lease. */
  @Column({ type: Date, nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @Column({ type: Date })
  receivedAt!: Date;

  @Column({ type: Date, nullable: true })
  processedAt!: Date | null;
}
