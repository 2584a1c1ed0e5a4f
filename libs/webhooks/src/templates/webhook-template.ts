/** Built-in templates for chat tools' incoming webhooks. */
export const TEMPLATE_PRESETS = ['slack', 'teams', 'discord', 'google-chat'] as const;
export type TemplatePreset = (typeof TEMPLATE_PRESETS)[number];

/** Content types a custom template may declare. */
export const TEMPLATE_CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/xml',
] as const;
export type TemplateContentType = (typeof TEMPLATE_CONTENT_TYPES)[number];

/**
 * What a subscription sends instead of the envelope: a preset, or a Liquid template of its own
 * (rendered with the envelope as `event` and a readable sentence as `message`).
 */
export type WebhookTemplate =
  { preset: TemplatePreset } | { body: string; contentType?: TemplateContentType };

/** The envelope as templates see it. */
export interface TemplateEnvelope {
  id: string;
  type: string;
  timestamp: string;
  source: string;
  listId: string;
  data: unknown;
}
