import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import type { ContactFields } from '../common/flat-fields.validator';
import { List } from '../lists/list.entity';

export const CONTACT_STATUSES = ['subscribed', 'unsubscribed', 'bounced'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

@Entity('demo_contacts')
@Unique('UQ_demo_contacts_list_email', ['listId', 'email'])
export class Contact {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  listId!: number;

  @ManyToOne(() => List, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'listId' })
  list?: List;

  /** Trimmed and lower-cased. */
  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  firstName!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  lastName!: string | null;

  @Column({ type: 'json' })
  fields!: ContactFields;

  @Column({ type: 'varchar', length: 16 })
  status!: ContactStatus;

  /** Secret part of the contact's public links (unsubscribe, profile, tracking). */
  @Index('UQ_demo_contacts_token', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  token!: string;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
