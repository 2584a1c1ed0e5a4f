import { subscriptionMatches } from './subscription-matching';

describe('subscriptionMatches', () => {
  const subscription = {
    events: ['contact.subscribed', 'campaign.clicked'],
    sources: ['api', 'contact'] as const,
    filter: null,
  };

  it.each([
    ['contact.subscribed', 'api', true],
    ['campaign.clicked', 'contact', true],
    ['contact.subscribed', 'admin', false],
    ['contact.subscribed', 'system', false],
    ['contact.unsubscribed', 'api', false],
    ['campaign.opened', 'contact', false],
  ] as const)('%s from %s → %s', (type, source, expected) => {
    expect(
      subscriptionMatches(
        { ...subscription, sources: [...subscription.sources] },
        { type, source, data: {} },
      ),
    ).toBe(expected);
  });

  it("asks the content filter about the event's data", () => {
    const vip = {
      events: ['contact.subscribed'],
      sources: ['api' as const],
      filter: { 'contact.tags': 'vip' },
    };
    const event = { type: 'contact.subscribed', source: 'api' as const };
    expect(subscriptionMatches(vip, { ...event, data: { contact: { tags: ['vip'] } } })).toBe(true);
    expect(subscriptionMatches(vip, { ...event, data: { contact: { tags: ['new'] } } })).toBe(
      false,
    );
    expect(
      subscriptionMatches(vip, {
        ...event,
        type: 'contact.updated',
        data: { contact: { tags: ['vip'] } },
      }),
    ).toBe(false);
  });
});
