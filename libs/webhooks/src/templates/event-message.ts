import type { TemplateEnvelope } from './webhook-template';

const SOURCE_LABELS: Record<string, string> = {
  contact: 'the contact',
  admin: 'an admin',
  api: 'the API',
  system: 'the system',
};

/**
 * One sentence a person reads in a chat channel, e.g. "Ada Lovelace subscribed to Newsletter
 * (source: the contact)". It reads the fields the catalogue's events usually carry (`contact`,
 * `campaign`, `list`, `url`, `reason`) and falls back to ids when they are missing.
 */
export function describeEvent(event: TemplateEnvelope): string {
  const data = asRecord(event.data);
  const contact = asRecord(data.contact);
  const campaign = asRecord(data.campaign);
  const who =
    [text(contact.firstName), text(contact.lastName)].filter(Boolean).join(' ') ||
    text(contact.email) ||
    'A contact';
  const list = text(asRecord(data.list).name) || `list ${event.listId}`;
  const subject = text(campaign.subject) ? `“${text(campaign.subject)}”` : 'a campaign';
  const source = `(source: ${SOURCE_LABELS[event.source] ?? event.source})`;
  switch (event.type) {
    case 'contact.subscribed':
      return `${who} subscribed to ${list} ${source}`;
    case 'contact.unsubscribed':
      return `${who} unsubscribed from ${list} ${source}`;
    case 'contact.updated':
      return `${who} was updated in ${list} ${source}`;
    case 'campaign.sent':
      return `Campaign ${subject} was sent to ${list}`;
    case 'campaign.opened':
      return `${who} opened ${subject}`;
    case 'campaign.clicked':
      return `${who} clicked ${text(data.url) || 'a link'} in ${subject}`;
    case 'campaign.forwarded':
      return `${who} forwarded ${subject}`;
    case 'campaign.shared':
      return `${who} shared ${subject}`;
    case 'campaign.bounced':
      return `${subject} bounced for ${text(contact.email) || who}${text(data.reason) ? `: ${text(data.reason)}` : ''}`;
    case 'webhook.test':
      return 'Test event: this endpoint receives webhooks';
    default:
      return `${event.type} in ${list} ${source}`;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}
