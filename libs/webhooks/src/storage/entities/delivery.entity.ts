import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';

/**
 * `held`: waiting for its paused subscription to resume; nothing was lost. `cancelled`: its subject
 * was erased before it was delivered; it is never attempted again.
 */
export const DELIVERY_STATUSES = [
  'pending',
  'succeeded',
  'failed',
  'exhausted',
  'held',
  'cancelled',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One event for one subscription. Unique on the pair, so fan-out is idempotent. */
@Entity('webhook_deliveries')
@Unique('UQ_webhook_deliveries_event_subscription', ['eventId', 'subscriptionId'])
@Index('IDX_webhook_deliveries_subscription', ['subscriptionId', 'id'])
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'])
// Partial where the database allows it (not MySQL): only unfinished keyed deliveries, what the turn
// lookups read, so unkeyed deliveries never pay for it and a key's history does not slow its lookups.
@Index('IDX_webhook_deliveries_ordering', ['subscriptionId', 'orderingKey', 'id'], {
  where: `"orderingKey" IS NOT NULL AND "status" IN ('pending', 'failed', 'held')`,
})
export class WebhookDelivery {
  /** UUIDv7, sent as `webhook-id`: the same on every retry. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  eventId!: string;

  @Column('uuid')
  subscriptionId!: string;

  @Column({ type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: Date, nullable: true })
  nextAttemptAt!: Date | null;

  /**
   * Its event's ordering key: deliveries of one subscription with the same key are sent one at a
   * time, in id order (see docs/delivery.md, "Ordering per key"). Null: unordered.
   */
  @Column({ type: 'varchar', length: 200, nullable: true })
  orderingKey!: string | null;

  @Column({ type: Date, nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
