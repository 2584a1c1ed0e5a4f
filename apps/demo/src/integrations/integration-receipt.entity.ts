import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * An inbound event the demo acted on, written in the transaction of what it did: a second run of the
 * same event (a retry after a crash, a replay) finds it and does nothing.
 */
@Entity('demo_integration_receipts')
export class IntegrationReceipt {
  /** The library's `InboundWebhookEvent.id`, stable across retries and replays. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  inboundEventId!: string;

  @Column({ type: 'varchar', length: 32 })
  provider!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  type!: string | null;

  /** What the demo did, one line: `added jenny.rosen@example.com`, `ignored: …`. */
  @Column({ type: 'varchar', length: 500 })
  outcome!: string;

  @Column({ type: 'integer', nullable: true })
  contactId!: number | null;

  @CreateDateColumn()
  createdAt!: Date;
}
