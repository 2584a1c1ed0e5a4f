import { Process, Processor } from '@nestjs/bull';
import { Inject, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bull';
import { WebhooksService, WebhooksTransactions } from 'nestjs-marketing-webhooks';
import type { DataSource } from 'typeorm';
import type { DemoConfig } from '../config/demo-config';
import { DEMO_CONFIG } from '../config/demo-config.module';
import { Contact } from '../contacts/contact.entity';
import { recipientLinks } from './campaign-links';
import { CampaignRecipient } from './campaign-recipient.entity';
import { Campaign } from './campaign.entity';
import { toCampaignView } from './campaign.view';
import { CAMPAIGNS_QUEUE, SEND_CAMPAIGN_JOB, type SendCampaignJob } from './campaigns.queue';

const INSERT_BATCH = 200;

/** "Sends" a campaign: no email leaves the demo; recipients are recorded with their tracking links. */
@Processor(CAMPAIGNS_QUEUE)
export class CampaignSenderProcessor {
  private readonly logger = new Logger('CampaignSender');

  constructor(
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
    private readonly webhooks: WebhooksService,
  ) {}

  @Process(SEND_CAMPAIGN_JOB)
  async send(job: Job<SendCampaignJob>): Promise<void> {
    const campaign = await this.start(job.data);
    if (!campaign) return;

    const contacts = await this.dataSource
      .getRepository(Contact)
      .find({ where: { listId: campaign.listId, status: 'subscribed' }, order: { id: 'ASC' } });
    const sentAt = new Date();
    for (let index = 0; index < contacts.length; index += INSERT_BATCH) {
      // orIgnore: a retried job must not record (or count) anyone twice.
      await this.dataSource
        .createQueryBuilder()
        .insert()
        .into(CampaignRecipient)
        .values(
          contacts
            .slice(index, index + INSERT_BATCH)
            .map((contact) => ({ campaignId: campaign.id, contactId: contact.id, sentAt })),
        )
        .orIgnore()
        .execute();
    }
    for (const contact of contacts) {
      const links = recipientLinks(this.config.publicUrl, campaign, contact.token);
      this.logger.debug(`campaign ${campaign.id} → ${contact.email}: open ${links.open}`);
    }
    await this.dataSource
      .getRepository(Campaign)
      .update({ id: campaign.id }, { status: 'sent', sentAt });
    this.logger.log(
      `Campaign ${campaign.id} "${campaign.subject}" sent to ${contacts.length} recipient(s)`,
    );
  }

  /**
   * Marks the campaign sending and emits `campaign.sent`, together. Returns null when there is
   * nothing to do; a campaign already `sending` is a retried job: it carries on without a new event.
   */
  private start({ campaignId, requestedBy }: SendCampaignJob): Promise<Campaign | null> {
    return this.transactions.run(async (manager) => {
      const campaign = await manager.findOneBy(Campaign, { id: campaignId });
      if (!campaign || campaign.status === 'sent') return null;
      if (campaign.status === 'sending') return campaign;
      const claimed = await manager
        .createQueryBuilder()
        .update(Campaign)
        .set({ status: 'sending' })
        .where('id = :campaignId AND status = :draft', { campaignId, draft: 'draft' })
        .execute();
      if (!claimed.affected) return null;
      campaign.status = 'sending';
      const recipientCount = await manager.countBy(Contact, {
        listId: campaign.listId,
        status: 'subscribed',
      });
      await this.webhooks.emit(
        {
          listId: campaign.listId,
          type: 'campaign.sent',
          source: 'system',
          data: {
            campaign: toCampaignView(campaign, { withBody: true }),
            recipientCount,
            requestedBy,
          },
        },
        { manager },
      );
      return campaign;
    });
  }
}
