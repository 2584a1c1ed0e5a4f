import type { ContentFilter } from '../../filters/content-filter';
import type { WebhookTemplate } from '../../templates/webhook-template';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { WebhookEventSource } from '../../catalogue/event-catalogue';

export const SUBSCRIPTION_STATUSES = [
  'active',
  'paused',
  'disabled',
  'pending_verification',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const PAYLOAD_FORMATS = ['json', 'form', 'xml'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

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

  /** Wide enough for an encrypted envelope (`security.encryptionKeys`). */
  @Column({ type: 'varchar', length: 255 })
  secret!: string;

  /** The secret replaced by the last rotation, still signed with until `previousSecretExpiresAt`. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  previousSecret!: string | null;

  @Column({ type: Date, nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'varchar', length: 8, default: 'json' })
  payloadFormat!: PayloadFormat;

  /** Static headers sent with every delivery (e.g. the receiver's own auth token). */
  @Column({ type: 'json', nullable: true })
  headers!: Record<string, string> | null;

  /** Sent instead of the envelope: a chat tool's preset or a Liquid template. */
  @Column({ type: 'json', nullable: true })
  template!: WebhookTemplate | null;

  /** Only events whose data matches are delivered (MongoDB's query syntax, a subset). */
  @Column({ type: 'json', nullable: true })
  filter!: ContentFilter | null;

  /**
   * `filter` as an SQL/JSON path predicate, kept by the store beside it: PostgreSQL's fan-out
   * statement matches with it. Derived, never set by callers.
   */
  @Column({ type: 'text', nullable: true, select: false })
  filterJsonPath!: string | null;

  /** At most this many deliveries per second to this endpoint; more wait their turn (null: no limit). */
  @Column({ type: 'integer', nullable: true })
  rateLimit!: number | null;

  @Column({ type: 'varchar', length: 24, default: 'active' })
  status!: SubscriptionStatus;

  @Column({ type: 'varchar', length: 500, nullable: true })
  disabledReason!: string | null;

  @Column({ type: Date, nullable: true })
  disabledAt!: Date | null;

  /** Failed attempts since the last success: with `failingSince`, decides auto-disabling. */
  @Column({ type: 'integer', default: 0 })
  consecutiveFailures!: number;

  @Column({ type: Date, nullable: true })
  failingSince!: Date | null;

  @Column({ type: Date, nullable: true })
  lastSuccessAt!: Date | null;

  /** When a test ping last succeeded: a disabled subscription can be re-enabled after one. */
  @Column({ type: Date, nullable: true })
  lastTestSucceededAt!: Date | null;

  /** When the self-healing probe last tried this disabled endpoint. */
  @Column({ type: Date, nullable: true })
  lastProbedAt!: Date | null;

  /** Challenge the endpoint must echo to leave `pending_verification`. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  verificationChallenge!: string | null;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
