import { describeEvent } from './event-message';
import type { TemplateEnvelope, TemplatePreset } from './webhook-template';

/**
 * The JSON each chat tool's incoming webhook accepts: Slack (`text` and blocks), Microsoft Teams
 * (an Adaptive Card message, as Workflows' "post to a channel" takes it), Discord (`content` and an
 * embed), Google Chat (`text`). Built with JSON.stringify: no data can break out of a string.
 */
export function renderPreset(preset: TemplatePreset, event: TemplateEnvelope): string {
  const message = describeEvent(event);
  const context = `${event.type} · ${event.source} · ${event.timestamp}`;
  switch (preset) {
    case 'slack':
      return JSON.stringify({
        // Slack reads `<!channel>` or `<@U123>` in `text` as mentions: data must not ping anyone.
        text: escapeSlack(message),
        blocks: [
          { type: 'section', text: { type: 'plain_text', text: message } },
          { type: 'context', elements: [{ type: 'plain_text', text: context }] },
        ],
      });
    case 'teams':
      return JSON.stringify({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: {
              $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
              type: 'AdaptiveCard',
              version: '1.4',
              body: [
                { type: 'TextBlock', text: message, wrap: true },
                { type: 'TextBlock', text: context, isSubtle: true, size: 'Small', wrap: true },
              ],
            },
          },
        ],
      });
    case 'discord':
      return JSON.stringify({
        content: message,
        allowed_mentions: { parse: [] },
        embeds: [{ description: context }],
      });
    case 'google-chat':
      return JSON.stringify({ text: `${message}\n${context}` });
  }
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
