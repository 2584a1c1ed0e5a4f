import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const TRACKING_ACTIVITIES = ['opened', 'clicked', 'forwarded', 'shared'] as const;
export type TrackingActivityKind = (typeof TRACKING_ACTIVITIES)[number];

/** One open, click, forward or share of a campaign by a recipient. */
@Entity('demo_tracking_activities')
@Index('IDX_demo_tracking_activities_campaign', ['campaignId', 'kind'])
export class TrackingActivity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  campaignId!: number;

  @Column({ type: 'integer' })
  contactId!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: TrackingActivityKind;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  @CreateDateColumn()
  createdAt!: Date;
}
