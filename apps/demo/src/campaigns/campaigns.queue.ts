import type { JobOptions } from 'bull';
import type { ManagementSource } from '../common/request-source.guard';

export const CAMPAIGNS_QUEUE = 'demo-campaigns';
export const SEND_CAMPAIGN_JOB = 'send';

export interface SendCampaignJob {
  campaignId: number;
  /** Who pressed "send"; the sending itself is the system's doing. */
  requestedBy: ManagementSource;
}

export function sendCampaignJobOptions(campaignId: number): JobOptions {
  return {
    // One job per campaign at a time, however often "send" is pressed.
    jobId: `campaign-${campaignId}`,
    attempts: 3,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
