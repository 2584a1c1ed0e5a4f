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
import { List } from '../lists/list.entity';

export const CAMPAIGN_STATUSES = ['draft', 'sending', 'sent'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

@Entity('demo_campaigns')
@Index('IDX_demo_campaigns_list', ['listId'])
export class Campaign {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  listId!: number;

  @ManyToOne(() => List, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'listId' })
  list?: List;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  /** Plain text; the http(s) links in it become tracked links. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status!: CampaignStatus;

  @Column({ type: Date, nullable: true })
  sentAt!: Date | null;

  @CreateDateColumn()
  createdAt!: Date;

  @UpdateDateColumn()
  updatedAt!: Date;
}
