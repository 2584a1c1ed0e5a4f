import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { WebhookEventSource } from '../../catalogue/event-catalogue';

/** The outbox: one row per emitted event, written in the host's transaction when it passes one. */
@Entity('webhook_events')
@Index('IDX_webhook_events_subject', ['subject'])
export class WebhookEvent {
  /** UUIDv7: time-ordered. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 128 })
  listId!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  source!: WebhookEventSource;

  @Column({ type: 'json' })
  data!: Record<string, unknown>;

  @Column({ type: Date })
  occurredAt!: Date;

  /** Whom the event is about (`contact:42`), so that it can be erased; null once it is. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  subject!: string | null;

  /**
   * The W3C `traceparent` of the emit's span, which its attempts' spans link to; null when no
   * OpenTelemetry SDK recorded it.
   */
  @Column({ type: 'varchar', length: 55, nullable: true })
  traceParent!: string | null;

  /** `EmitOptions.orderingKey`: copied onto each of the event's deliveries. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  orderingKey!: string | null;
}
