import { registerDecorator, type ValidationOptions } from 'class-validator';
import { TEMPLATE_CONTENT_TYPES, TEMPLATE_PRESETS } from '../../templates/webhook-template';

const SHAPE =
  `template must be { "preset": one of ${TEMPLATE_PRESETS.join(', ')} } or ` +
  `{ "body": a Liquid template, "contentType"?: one of ${TEMPLATE_CONTENT_TYPES.join(', ')} }`;

function isTemplate(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { preset, body, contentType, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return false;
  if (preset !== undefined) {
    return (
      body === undefined && contentType === undefined && TEMPLATE_PRESETS.includes(preset as never)
    );
  }
  return (
    typeof body === 'string' &&
    body.length > 0 &&
    (contentType === undefined || TEMPLATE_CONTENT_TYPES.includes(contentType as never))
  );
}

/** A preset or a custom template (its Liquid syntax is checked by the service, naming the line). */
export function IsWebhookTemplate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isWebhookTemplate',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: { validate: isTemplate, defaultMessage: () => SHAPE },
    });
}
