const LINK_PATTERN = /https?:\/\/[^\s<>"'()[\]{}]+/g;

/** The http(s) links written in a campaign body, in order, without duplicates. */
export function extractLinks(body: string): string[] {
  const links = (body.match(LINK_PATTERN) ?? []).map((link) => link.replace(/[.,;:!?]+$/, ''));
  return [...new Set(links)];
}

export interface RecipientLinks {
  open: string;
  clicks: Array<{ url: string; tracked: string }>;
  forward: string;
  share: string;
  unsubscribe: string;
  profile: string;
}

/** The links of one recipient's copy of a campaign, as they would appear in the email. */
export function recipientLinks(
  publicUrl: string,
  campaign: { id: number; body: string },
  token: string,
): RecipientLinks {
  const tracking = (kind: string) => `${publicUrl}/t/${kind}/${campaign.id}/${token}`;
  return {
    open: tracking('open'),
    clicks: extractLinks(campaign.body).map((url) => ({
      url,
      tracked: `${tracking('click')}?url=${encodeURIComponent(url)}`,
    })),
    forward: tracking('forward'),
    share: tracking('share'),
    unsubscribe: `${publicUrl}/public/unsubscribe/${token}`,
    profile: `${publicUrl}/public/profile/${token}`,
  };
}
