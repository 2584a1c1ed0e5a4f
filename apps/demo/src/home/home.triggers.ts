import type { WebhookEventSource } from 'nestjs-marketing-webhooks';

/** A dashboard button: one event type, from one source, through the route where it happens. */
export interface Trigger {
  event: string;
  source: WebhookEventSource;
  label: string;
  /** The demo route the button calls: the one of the event's curl line in docs/demo.md. */
  route: string;
}

/** Every built-in event type from each of its real sources (public/home.js does the calling). */
export const TRIGGERS: readonly Trigger[] = [
  {
    event: 'contact.subscribed',
    source: 'contact',
    label: 'Sign-up form',
    route: 'POST /public/lists/:listId/subscribe',
  },
  {
    event: 'contact.subscribed',
    source: 'admin',
    label: 'Add contact',
    route: 'POST /lists/:listId/contacts',
  },
  {
    event: 'contact.subscribed',
    source: 'api',
    label: 'Add contact',
    route: 'POST /lists/:listId/contacts with x-api-key',
  },
  {
    event: 'contact.updated',
    source: 'contact',
    label: 'Profile page',
    route: 'POST /public/profile/:token',
  },
  {
    event: 'contact.updated',
    source: 'admin',
    label: 'Edit contact',
    route: 'PATCH /contacts/:id',
  },
  {
    event: 'contact.updated',
    source: 'api',
    label: 'Edit contact',
    route: 'PATCH /contacts/:id with x-api-key',
  },
  {
    event: 'contact.unsubscribed',
    source: 'contact',
    label: 'Unsubscribe link',
    route: 'GET /public/unsubscribe/:token',
  },
  {
    event: 'contact.unsubscribed',
    source: 'admin',
    label: 'Unsubscribe',
    route: 'POST /contacts/:id/unsubscribe',
  },
  {
    event: 'contact.unsubscribed',
    source: 'api',
    label: 'Unsubscribe',
    route: 'POST /contacts/:id/unsubscribe with x-api-key',
  },
  {
    event: 'campaign.sent',
    source: 'system',
    label: 'Send a campaign',
    route: 'POST /lists/:listId/campaigns, then POST /campaigns/:id/send',
  },
  {
    event: 'campaign.opened',
    source: 'contact',
    label: 'Open pixel',
    route: 'GET /t/open/:campaignId/:token',
  },
  {
    event: 'campaign.clicked',
    source: 'contact',
    label: 'Tracked link',
    route: 'GET /t/click/:campaignId/:token?url=…',
  },
  {
    event: 'campaign.forwarded',
    source: 'contact',
    label: 'Forward link',
    route: 'GET /t/forward/:campaignId/:token',
  },
  {
    event: 'campaign.shared',
    source: 'contact',
    label: 'Share link',
    route: 'GET /t/share/:campaignId/:token',
  },
  { event: 'campaign.bounced', source: 'system', label: 'Report a bounce', route: 'POST /bounces' },
];
