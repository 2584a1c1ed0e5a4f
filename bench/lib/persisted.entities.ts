/**
 * B-persisted's own tables: what a Nest user defines by hand for a delivery log (not the library's
 * entities). Created with `synchronize: true` on a PostgreSQL schema of its own (see
 * persisted.store.ts). Ids are `gen_random_uuid()` defaults (PostgreSQL 13+, no extension needed).
 */
import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type PersistedDeliveryStatus = 'pending' | 'delivered' | 'failed';

@Entity('subscriptions')
export class PersistedSubscription {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column()
  listId!: string;

  @Column()
  url!: string;

  @Column()
  secret!: string;

  @Column({ default: true })
  active!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('events')
export class PersistedEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column()
  listId!: string;

  @Column()
  type!: string;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('deliveries')
export class PersistedDelivery {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column()
  eventId!: string;

  @ManyToOne(() => PersistedEvent, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'eventId' })
  event!: PersistedEvent;

  @Index()
  @Column()
  subscriptionId!: string;

  @ManyToOne(() => PersistedSubscription, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'subscriptionId' })
  subscription!: PersistedSubscription;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: PersistedDeliveryStatus;

  @Column({ default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('attempts')
export class PersistedAttempt {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index()
  @Column()
  deliveryId!: string;

  @ManyToOne(() => PersistedDelivery, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'deliveryId' })
  delivery!: PersistedDelivery;

  @Column()
  attemptNumber!: number;

  @Column({ type: 'int', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'varchar', nullable: true })
  error!: string | null;

  @Column()
  durationMs!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

export const PERSISTED_ENTITIES = [
  PersistedSubscription,
  PersistedEvent,
  PersistedDelivery,
  PersistedAttempt,
];
