import { UnknownEventSourceError, UnknownEventTypeError } from '../webhooks.errors';
import { BUILT_IN_EVENT_TYPES, EventCatalogue } from './event-catalogue';

describe('EventCatalogue', () => {
  it('knows the built-in marketing events and webhook.test', () => {
    expect(new EventCatalogue().list().map((definition) => definition.type)).toEqual([
      'contact.subscribed',
      'contact.unsubscribed',
      'contact.updated',
      'campaign.sent',
      'campaign.opened',
      'campaign.clicked',
      'campaign.forwarded',
      'campaign.shared',
      'campaign.bounced',
      'webhook.test',
    ]);
    expect(BUILT_IN_EVENT_TYPES.every((definition) => definition.description.length > 0)).toBe(
      true,
    );
  });

  it('adds the host types', () => {
    const catalogue = new EventCatalogue([
      { type: 'contact.tagged', description: 'A tag was added.' },
    ]);
    expect(catalogue.has('contact.tagged')).toBe(true);
    expect(catalogue.list()).toHaveLength(BUILT_IN_EVENT_TYPES.length + 1);
  });

  it.each(['Contact.Tagged', 'tagged', 'contact.', '.tagged', 'contact tagged'])(
    'refuses the malformed type %p',
    (type) => {
      expect(() => new EventCatalogue([{ type, description: 'x' }])).toThrow(
        /Invalid webhook event type/,
      );
    },
  );

  it('refuses a duplicate type', () => {
    expect(
      () => new EventCatalogue([{ type: 'contact.subscribed', description: 'again' }]),
    ).toThrow(/twice/);
  });

  it('throws typed errors naming the field for unknown types and sources', () => {
    const catalogue = new EventCatalogue();
    expect(() => catalogue.assertEventType('contact.deleted', 'events')).toThrow(
      UnknownEventTypeError,
    );
    expect(() => catalogue.assertEventType('contact.deleted', 'events')).toThrow(
      /^events contains unknown event type/,
    );
    expect(() => catalogue.assertSource('robot')).toThrow(UnknownEventSourceError);
    expect(() => catalogue.assertSource('api')).not.toThrow();
  });
});
