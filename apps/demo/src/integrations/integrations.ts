import type { WebhookEventTypeDefinition } from 'nestjs-marketing-webhooks';
import type { InboundSecrets } from '../config/demo-config';

export type IntegrationProvider = keyof InboundSecrets;

/**
 * An inbound endpoint the seed makes on the seeded list, and what the demo does with what arrives:
 * Brevo's examples of inbound webhooks, one per provider.
 */
export interface Integration {
  /** The endpoint's scheme, and the provider of `@OnInboundWebhook`. */
  provider: IntegrationProvider;
  /** The provider's event type the demo acts on (others are stored and acknowledged, nothing more). */
  type: string;
  /** The endpoint's name: how the seed finds it again. */
  name: string;
  /** What the demo does with one. */
  does: string;
}

export const INTEGRATIONS: readonly Integration[] = [
  {
    provider: 'stripe',
    type: 'customer.created',
    name: 'Stripe: new customers',
    does: 'adds the customer to the list as a contact, or updates the contact with that address',
  },
  {
    provider: 'typeform',
    type: 'form_response',
    name: 'Typeform: form answers',
    does: 'writes the answers into the fields of the contact with the answered email',
  },
  {
    provider: 'shopify',
    type: 'orders/create',
    name: 'Shopify: orders',
    does: "records the order in the activity of the contact with the order's email",
  },
];

/** The demo's own event type, added to the catalogue through the module's `eventTypes` option. */
export const CONTACT_ORDERED = 'contact.ordered';

export const DEMO_EVENT_TYPES: WebhookEventTypeDefinition[] = [
  {
    type: CONTACT_ORDERED,
    description: 'A contact placed an order in a connected shop (Shopify).',
    sample: {
      contact: { id: 7, email: 'ada@example.com', firstName: 'Ada', status: 'subscribed' },
      list: { id: 1, name: 'Newsletter' },
      event: { name: 'ordered', description: 'ordered #1001, 59.00 EUR', origin: 'shopify' },
      order: { id: '820982911946154508', name: '#1001', total: '59.00', currency: 'EUR', items: 2 },
    },
  },
];
