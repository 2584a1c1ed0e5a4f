import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A custom event recorded on a contact by another application, e.g. "ordered #1001, 59.00 EUR" from a
 * Shopify shop: it shows in the contact's activity beside the campaign opens and clicks.
 */
@Entity('demo_contact_events')
@Index('IDX_demo_contact_events_contact', ['contactId'])
export class ContactEvent {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  contactId!: number;

  /** What happened, one word: `ordered`. */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** One line a person reads: `ordered #1001, 59.00 EUR`. */
  @Column({ type: 'varchar', length: 300 })
  description!: string;

  /** The application that said so: `shopify`. */
  @Column({ type: 'varchar', length: 32 })
  origin!: string;

  @Column({ type: 'json' })
  properties!: Record<string, unknown>;

  @CreateDateColumn()
  createdAt!: Date;
}
