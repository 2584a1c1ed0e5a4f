import type { Campaign, CampaignStatus } from './campaign.entity';

/** A campaign as webhook receivers see it. The body is only sent with `campaign.sent`. */
export interface CampaignView {
  id: number;
  listId: number;
  subject: string;
  status: CampaignStatus;
  sentAt: string | null;
  createdAt: string;
  body?: string;
}

export function toCampaignView(campaign: Campaign, { withBody = false } = {}): CampaignView {
  return {
    id: campaign.id,
    listId: campaign.listId,
    subject: campaign.subject,
    status: campaign.status,
    sentAt: campaign.sentAt ? new Date(campaign.sentAt).toISOString() : null,
    createdAt: new Date(campaign.createdAt).toISOString(),
    ...(withBody && { body: campaign.body }),
  };
}
