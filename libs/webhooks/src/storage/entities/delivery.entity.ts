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

/**
 * The condition on `status` of the partial indexes below. A query that is to use one of them repeats
 * it word for word (see `TypeOrmDeliveryStore`): SQLite proves nothing about `IN` lists, so a
 * narrower list, or a bound parameter, does not match it.
 */
export const UNFINISHED_DELIVERY = `IN ('pending', 'failed', 'held')`;

/** One event for one subscription. Unique on the pair, so fan-out is idempotent. */
@Entity('webhook_deliveries')
@Unique('UQ_webhook_deliveries_event_subscription', ['eventId', 'subscriptionId'])
@Index('IDX_webhook_deliveries_subscription', ['subscriptionId', 'id'])
// Both partial where the database allows it (not MySQL): only unfinished deliveries, what the relay,
// the held-delivery and the turn lookups read, so a delivery that succeeds adds no entry to them and
// the history does not slow them; the ordering one only keyed deliveries, so unkeyed ones never pay.
@Index('IDX_webhook_deliveries_due', ['status', 'nextAttemptAt'], {
  where: `"status" ${UNFINISHED_DELIVERY}`,
})
@Index('IDX_webhook_deliveries_ordering', ['subscriptionId', 'orderingKey', 'id'], {
  where: `"orderingKey" IS NOT NULL AND "status" ${UNFINISHED_DELIVERY}`,
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
