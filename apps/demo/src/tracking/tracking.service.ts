import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { WebhooksService, WebhooksTransactions } from 'nestjs-marketing-webhooks';
import type { DataSource } from 'typeorm';
import { extractLinks } from '../campaigns/campaign-links';
import { CampaignRecipient } from '../campaigns/campaign-recipient.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { toCampaignView } from '../campaigns/campaign.view';
import { Contact } from '../contacts/contact.entity';
import { toContactView } from '../contacts/contact.view';
import { TrackingActivity, type TrackingActivityKind } from './tracking-activity.entity';

const EVENT_TYPES: Record<TrackingActivityKind, string> = {
  opened: 'campaign.opened',
  clicked: 'campaign.clicked',
  forwarded: 'campaign.forwarded',
  shared: 'campaign.shared',
};

interface Recipient {
  campaign: Campaign;
  contact: Contact;
}

/** Records what a recipient does with a campaign and tells the webhooks, source `contact`. */
@Injectable()
export class TrackingService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: WebhooksTransactions,
    private readonly webhooks: WebhooksService,
  ) {}

  async record(
    kind: Exclude<TrackingActivityKind, 'clicked'>,
    campaignId: number,
    token: string,
  ): Promise<Recipient> {
    const recipient = await this.findRecipient(campaignId, token);
    await this.save(kind, recipient, null);
    return recipient;
  }

  /** Only the links written in the campaign are followed, so the tracker is not an open redirect. */
  async recordClick(campaignId: number, token: string, url: string): Promise<void> {
    const recipient = await this.findRecipient(campaignId, token);
    if (!extractLinks(recipient.campaign.body).includes(url)) {
      throw new BadRequestException([`url is not a link of campaign ${campaignId}`]);
    }
    await this.save('clicked', recipient, url);
  }

  private async findRecipient(campaignId: number, token: string): Promise<Recipient> {
    const contact = await this.dataSource.getRepository(Contact).findOneBy({ token });
    const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id: campaignId });
    const received =
      contact &&
      campaign &&
      (await this.dataSource
        .getRepository(CampaignRecipient)
        .existsBy({ campaignId, contactId: contact.id }));
    if (!received) throw new NotFoundException('this link is not valid');
    return { campaign, contact };
  }

  private async save(
    kind: TrackingActivityKind,
    { campaign, contact }: Recipient,
    url: string | null,
  ): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.insert(TrackingActivity, {
        campaignId: campaign.id,
        contactId: contact.id,
        kind,
        url,
      });
      await this.webhooks.emit(
        {
          listId: campaign.listId,
          type: EVENT_TYPES[kind],
          source: 'contact',
          data: {
            campaign: toCampaignView(campaign),
            contact: toContactView(contact),
            ...(url !== null && { url }),
          },
        },
        { manager },
      );
    });
  }
}
