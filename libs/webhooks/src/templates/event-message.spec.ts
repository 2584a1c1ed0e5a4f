import { describeEvent } from './event-message';
import { renderPreset } from './template-presets';
import type { TemplateEnvelope } from './webhook-template';

const contact = { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace' };
const campaign = { subject: 'Spring sale' };

function event(type: string, data: unknown, source = 'contact'): TemplateEnvelope {
  return { id: 'e1', type, timestamp: '2026-12-06T08:00:00.000Z', source, listId: '42', data };
}

describe('the readable message of an event', () => {
  it.each([
    [
      'contact.subscribed',
      { contact, list: { name: 'Newsletter' } },
      'Ada Lovelace subscribed to Newsletter (source: the contact)',
    ],
    [
      'contact.unsubscribed',
      { contact: { email: 'bob@example.com' } },
      'bob@example.com unsubscribed from list 42 (source: the contact)',
    ],
    ['contact.updated', {}, 'A contact was updated in list 42 (source: the contact)'],
    ['campaign.sent', { campaign }, 'Campaign “Spring sale” was sent to list 42'],
    ['campaign.opened', { campaign, contact }, 'Ada Lovelace opened “Spring sale”'],
    [
      'campaign.clicked',
      { campaign, contact, url: 'https://x.example' },
      'Ada Lovelace clicked https://x.example in “Spring sale”',
    ],
    ['campaign.forwarded', { contact }, 'Ada Lovelace forwarded a campaign'],
    ['campaign.shared', { campaign, contact }, 'Ada Lovelace shared “Spring sale”'],
    [
      'campaign.bounced',
      { campaign, contact, reason: '550' },
      '“Spring sale” bounced for ada@example.com: 550',
    ],
    ['deal.won', 'not an object', 'deal.won in list 42 (source: the contact)'],
  ])('describes %s', (type, data, sentence) => {
    expect(describeEvent(event(type, data))).toBe(sentence);
  });

  it('keeps data from pinging a Slack channel or a Discord server', () => {
    const loud = event('contact.subscribed', { contact: { firstName: '<!channel> @everyone' } });
    const slack = JSON.parse(renderPreset('slack', loud)) as { text: string };
    expect(slack.text).toContain('&lt;!channel&gt;');
    const discord = JSON.parse(renderPreset('discord', loud)) as { allowed_mentions: unknown };
    expect(discord.allowed_mentions).toEqual({ parse: [] });
  });
});
