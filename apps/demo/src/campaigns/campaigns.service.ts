import { InjectQueue } from '@nestjs/bull';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { Repository } from 'typeorm';
import type { ManagementSource } from '../common/request-source.guard';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import { Contact } from '../contacts/contact.entity';
import { ListsService } from '../lists/lists.service';
import { recipientLinks, type RecipientLinks } from './campaign-links';
import { CampaignRecipient } from './campaign-recipient.entity';
import { Campaign } from './campaign.entity';
import {
  CAMPAIGNS_QUEUE,
  SEND_CAMPAIGN_JOB,
  sendCampaignJobOptions,
  type SendCampaignJob,
} from './campaigns.queue';
import type { CreateCampaignDto } from './dto/create-campaign.dto';

export interface RecipientView {
  contactId: number;
  email: string;
  sentAt: string;
  links: RecipientLinks;
}

@Injectable()
export class CampaignsService {
  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    @InjectRepository(Campaign) private readonly campaigns: Repository<Campaign>,
    @InjectRepository(CampaignRecipient) private readonly recipients: Repository<CampaignRecipient>,
    @InjectQueue(CAMPAIGNS_QUEUE) private readonly queue: Queue<SendCampaignJob>,
    private readonly lists: ListsService,
  ) {}

  async create(listId: number, input: CreateCampaignDto): Promise<Campaign> {
    await this.lists.get(listId);
    return this.campaigns.save(
      this.campaigns.create({ listId, subject: input.subject, body: input.body, status: 'draft' }),
    );
  }

  async findByList(listId: number): Promise<Campaign[]> {
    await this.lists.get(listId);
    return this.campaigns.find({ where: { listId }, order: { id: 'ASC' } });
  }

  async get(id: number): Promise<Campaign> {
    const campaign = await this.campaigns.findOneBy({ id });
    if (!campaign) throw new NotFoundException(`campaign ${id} not found`);
    return campaign;
  }

  /** Queues the campaign for the sender; the sending (and its `campaign.sent` event) happens there. */
  async requestSend(id: number, requestedBy: ManagementSource): Promise<Campaign> {
    const campaign = await this.get(id);
    if (campaign.status !== 'draft') {
      throw new ConflictException(`campaign ${id} is already ${campaign.status}`);
    }
    await this.queue.add(
      SEND_CAMPAIGN_JOB,
      { campaignId: id, requestedBy },
      sendCampaignJobOptions(id),
    );
    return campaign;
  }

  async listRecipients(id: number): Promise<RecipientView[]> {
    const campaign = await this.get(id);
    const rows = await this.recipients
      .createQueryBuilder('recipient')
      .innerJoinAndMapOne(
        'recipient.contact',
        Contact,
        'contact',
        'contact.id = recipient.contactId',
      )
      .where('recipient.campaignId = :id', { id })
      .orderBy('recipient.id', 'ASC')
      .getMany();
    return rows.flatMap(({ contact, contactId, sentAt }) =>
      contact
        ? [
            {
              contactId,
              email: contact.email,
              sentAt: new Date(sentAt).toISOString(),
              links: recipientLinks(this.config.publicUrl, campaign, contact.token),
            },
          ]
        : [],
    );
  }
}
