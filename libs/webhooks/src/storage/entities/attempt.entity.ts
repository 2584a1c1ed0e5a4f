import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ATTEMPT_ERROR_KINDS = [
  'http_status',
  'timeout',
  'connection',
  'address_blocked',
  'network',
  'challenge_mismatch',
  'template',
] as const;
export type AttemptErrorKind = (typeof ATTEMPT_ERROR_KINDS)[number];

/** Why the attempt was made. */
export const ATTEMPT_TRIGGERS = [
  'scheduled',
  'redelivery',
  'test',
  'probe',
  'verification',
] as const;
export type AttemptTrigger = (typeof ATTEMPT_TRIGGERS)[number];

/** One HTTP try of a delivery. */
@Entity('webhook_attempts')
@Index('IDX_webhook_attempts_delivery', ['deliveryId', 'attemptNumber'])
export class WebhookAttempt {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  deliveryId!: string;

  @Column({ type: 'integer' })
  attemptNumber!: number;

  @Column({ type: 'varchar', length: 16, default: 'scheduled' })
  trigger!: AttemptTrigger;

  @Column({ type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'integer' })
  durationMs!: number;

  @Column({ type: 'varchar', length: 32, nullable: true })
  errorKind!: AttemptErrorKind | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  errorMessage!: string | null;

  @Column({ type: 'text', nullable: true })
  responseExcerpt!: string | null;

  @Column({ type: Date })
  createdAt!: Date;
}
