import { subscriptionMatches } from './subscription-matching';

describe('subscriptionMatches', () => {
  const subscription = {
    events: ['contact.subscribed', 'campaign.clicked'],
    sources: ['api', 'contact'] as const,
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
        { type, source },
      ),
    ).toBe(expected);
  });
});
