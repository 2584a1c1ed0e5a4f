export const BOUNCES_QUEUE = 'demo-bounces';
export const BOUNCE_JOB = 'bounce';

export interface BounceJob {
  listId: number;
  email: string;
  reason: string;
  campaignId: number | null;
}
