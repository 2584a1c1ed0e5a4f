import { registerDecorator, type ValidationOptions } from 'class-validator';

export type FieldValue = string | number | boolean;
export type ContactFields = Record<string, FieldValue>;
/** `null` removes a field when updating. */
export type ContactFieldsInput = Record<string, FieldValue | null>;

export const MAX_FIELDS = 50;
const MAX_FIELD_VALUE_LENGTH = 1_000;
const FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Custom contact fields: a flat object of at most 50 scalar values, e.g. `{ city: 'Paris' }`. */
export function IsContactFields(options?: ValidationOptions): PropertyDecorator {
  return (target: object, property: string | symbol) =>
    registerDecorator({
      name: 'isContactFields',
      target: target.constructor,
      propertyName: String(property),
      options: {
        message: `${String(property)} must be an object of at most ${MAX_FIELDS} fields named like "city" with string (max ${MAX_FIELD_VALUE_LENGTH} chars), number, boolean or null values`,
        ...options,
      },
      validator: { validate: isContactFieldsInput },
    });
}

function isContactFieldsInput(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length <= MAX_FIELDS &&
    entries.every(
      ([name, field]) =>
        FIELD_NAME_PATTERN.test(name) &&
        (field === null ||
          typeof field === 'boolean' ||
          (typeof field === 'number' && Number.isFinite(field)) ||
          (typeof field === 'string' && field.length <= MAX_FIELD_VALUE_LENGTH)),
    )
  );
}

/** Applies an update: given values replace, `null` removes. */
export function mergeFields(
  current: ContactFields,
  changes: ContactFieldsInput | undefined,
): ContactFields {
  const merged: ContactFields = { ...current };
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
}
