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

const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function isWebhookEventSource(value: unknown): value is WebhookEventSource {
  return (WEBHOOK_EVENT_SOURCES as readonly unknown[]).includes(value);
}

/** The event types this module instance knows: the built-in ones plus the host's. */
export class EventCatalogue {
  private readonly types = new Map<string, WebhookEventTypeDefinition>();

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
    }
  }

  list(): WebhookEventTypeDefinition[] {
    return [...this.types.values()];
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
