import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { WebhookEventSource } from '../events/event-catalogue';

export const SUBSCRIPTION_STATUSES = ['active', 'paused', 'disabled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

@Entity('webhook_subscriptions')
@Index('IDX_webhook_subscriptions_scope', ['tenantId', 'listId', 'status'])
export class WebhookSubscription {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 128 })
  listId!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  description!: string | null;

  @Column({ type: 'json' })
  events!: string[];

  @Column({ type: 'json' })
  sources!: WebhookEventSource[];

  @Column({ type: 'varchar', length: 128 })
  secret!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: SubscriptionStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  disabledReason!: string | null;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
