import type { ContentFilter, WebhookTemplate } from 'nestjs-marketing-webhooks';

/** How a delivery's body is written: the envelope as JSON, form or XML, or a Slack message. */
export type InboxFormat = 'json' | 'form' | 'xml' | 'slack';

/**
 * A subscription the seed points at the demo's inbox besides "Demo inbox" (which takes every event
 * of the seeded list as JSON at `/inbox`), each at its own path: the path is how the inbox knows
 * whose secret signed what arrives there, without trusting the body.
 */
export interface InboxChannel {
  /** Under `/inbox/`. */
  path: string;
  name: string;
  description: string;
  /** What arrives: the subscription's `template` or `payloadFormat` says it. */
  format: InboxFormat;
  /** Every list of the account (`ALL_LISTS`), lists created later included, rather than the seeded one. */
  allLists: boolean;
  events: readonly string[];
  payloadFormat?: 'xml';
  template?: WebhookTemplate;
  /** Only the events whose data matches (the library's content filter). */
  filter?: ContentFilter;
}

export const INBOX_CHANNELS: readonly InboxChannel[] = [
  {
    path: 'slack',
    name: 'Inbox: Slack channel',
    description: 'Who joins and leaves the list, as Slack messages (the slack preset)',
    format: 'slack',
    allLists: false,
    events: ['contact.subscribed', 'contact.unsubscribed'],
    template: { preset: 'slack' },
  },
  {
    path: 'xml',
    name: 'Inbox: XML CRM sync',
    description: "The list's contact events as XML, for a receiver that only takes XML",
    format: 'xml',
    allLists: false,
    events: ['contact.subscribed', 'contact.updated', 'contact.unsubscribed'],
    payloadFormat: 'xml',
  },
  {
    path: 'all-lists',
    name: 'Inbox: every list',
    description:
      'Sign-ups, unsubscriptions and campaigns sent on every list of the account, lists created later included',
    format: 'json',
    allLists: true,
    events: ['contact.subscribed', 'contact.unsubscribed', 'campaign.sent'],
  },
  {
    path: 'uk',
    name: 'Inbox: UK sign-ups',
    description:
      'Sign-ups of contacts in London or Manchester only (a content filter on their city)',
    format: 'json',
    allLists: false,
    events: ['contact.subscribed'],
    filter: { 'contact.fields.city': { $in: ['London', 'Manchester'] } },
  },
];

export function inboxChannel(path: string): InboxChannel | undefined {
  return INBOX_CHANNELS.find((channel) => channel.path === path);
}
