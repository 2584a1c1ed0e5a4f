import { UnknownEventSourceError, UnknownEventTypeError } from '../webhooks.errors';
import type { WebhookEventTypeDefinition } from '../webhooks.options';

/** Who or what caused an event. */
export const WEBHOOK_EVENT_SOURCES = ['contact', 'admin', 'api', 'system'] as const;
export type WebhookEventSource = (typeof WEBHOOK_EVENT_SOURCES)[number];

export const WEBHOOK_TEST_EVENT = 'webhook.test';
/** Sent to prove a new endpoint's ownership; never subscribable. */
export const WEBHOOK_VERIFICATION_EVENT = 'webhook.verification';

export const BUILT_IN_EVENT_TYPES: readonly WebhookEventTypeDefinition[] = [
  { type: 'contact.subscribed', description: 'A contact subscribed to the list.' },
  { type: 'contact.unsubscribed', description: 'A contact unsubscribed from the list.' },
  { type: 'contact.updated', description: "A contact's details or fields changed." },
  { type: 'campaign.sent', description: 'A campaign started sending to the list.' },
  { type: 'campaign.opened', description: 'A contact opened a campaign.' },
  { type: 'campaign.clicked', description: 'A contact clicked a link in a campaign.' },
  { type: 'campaign.forwarded', description: 'A contact forwarded a campaign.' },
  { type: 'campaign.shared', description: 'A contact shared a campaign.' },
  { type: 'campaign.bounced', description: 'A campaign email to a contact bounced.' },
  { type: WEBHOOK_TEST_EVENT, description: 'A test event sent on request.' },
];

const SAMPLE_CONTACT = {
  id: 7,
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  fields: { city: 'London' },
  status: 'subscribed',
};
const SAMPLE_LIST = { id: '1', name: 'Newsletter' };
const SAMPLE_CAMPAIGN = { id: 3, subject: 'Spring sale', status: 'sent' };

/** What `preview` renders for the built-in types: data shaped as the demo platform sends it. */
const BUILT_IN_SAMPLES: Record<string, Record<string, unknown>> = {
  'contact.subscribed': { contact: SAMPLE_CONTACT, list: SAMPLE_LIST },
  'contact.unsubscribed': {
    contact: { ...SAMPLE_CONTACT, status: 'unsubscribed' },
    list: SAMPLE_LIST,
  },
  'contact.updated': { contact: SAMPLE_CONTACT, list: SAMPLE_LIST, changed: ['fields.city'] },
  'campaign.sent': { campaign: SAMPLE_CAMPAIGN, list: SAMPLE_LIST, recipientCount: 1204 },
  'campaign.opened': { campaign: SAMPLE_CAMPAIGN, contact: SAMPLE_CONTACT },
  'campaign.clicked': {
    campaign: SAMPLE_CAMPAIGN,
    contact: SAMPLE_CONTACT,
    url: 'https://shop.example.com/spring',
  },
  'campaign.forwarded': { campaign: SAMPLE_CAMPAIGN, contact: SAMPLE_CONTACT },
  'campaign.shared': { campaign: SAMPLE_CAMPAIGN, contact: SAMPLE_CONTACT },
  'campaign.bounced': {
    campaign: SAMPLE_CAMPAIGN,
    contact: SAMPLE_CONTACT,
    reason: '550 mailbox unavailable',
  },
  [WEBHOOK_TEST_EVENT]: { message: 'This is a test event.' },
};

const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function isWebhookEventSource(value: unknown): value is WebhookEventSource {
  return (WEBHOOK_EVENT_SOURCES as readonly unknown[]).includes(value);
}

/** The event types this module instance knows: the built-in ones plus the host's. */
export class EventCatalogue {
  private readonly types = new Map<string, WebhookEventTypeDefinition>();
  private readonly samples = new Map<string, Record<string, unknown>>(
    Object.entries(BUILT_IN_SAMPLES),
  );

  constructor(extraTypes: readonly WebhookEventTypeDefinition[] = []) {
    for (const definition of [...BUILT_IN_EVENT_TYPES, ...extraTypes]) {
      if (!EVENT_TYPE_PATTERN.test(definition.type)) {
        throw new Error(
          `Invalid webhook event type "${definition.type}": use dotted lower-case names`,
        );
      }
      if (this.types.has(definition.type)) {
        throw new Error(`Webhook event type "${definition.type}" is declared twice`);
      }
      this.types.set(definition.type, {
        type: definition.type,
        description: definition.description,
      });
      if (definition.sample) this.samples.set(definition.type, { ...definition.sample });
    }
  }

  list(): WebhookEventTypeDefinition[] {
    return [...this.types.values()];
  }

  /** Example `data` of a type, for previews (`{}` when the host gave none). */
  sampleOf(type: string): Record<string, unknown> {
    return this.samples.get(type) ?? {};
  }

  has(type: string): boolean {
    return this.types.has(type);
  }

  assertEventType(type: unknown, field = 'type'): asserts type is string {
    if (typeof type !== 'string' || !this.types.has(type)) {
      throw new UnknownEventTypeError(String(type), field);
    }
  }

  assertSource(source: unknown, field = 'source'): asserts source is WebhookEventSource {
    if (!isWebhookEventSource(source)) throw new UnknownEventSourceError(String(source), field);
  }
}
