import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Contact } from '../contacts/contact.entity';
import { Campaign } from './campaign.entity';

/** A contact a campaign was sent to: only recipients' opens and clicks are tracked. */
@Entity('demo_campaign_recipients')
@Unique('UQ_demo_campaign_recipients', ['campaignId', 'contactId'])
export class CampaignRecipient {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  campaignId!: number;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaignId' })
  campaign?: Campaign;

  @Column({ type: 'integer' })
  contactId!: number;

  @ManyToOne(() => Contact, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contactId' })
  contact?: Contact;

  @Column({ type: Date })
  sentAt!: Date;
}
