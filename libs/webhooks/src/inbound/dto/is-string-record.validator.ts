import { registerDecorator, type ValidationOptions } from 'class-validator';

const MAX_ENTRIES = 20;
const KEY = /^[A-Za-z][A-Za-z0-9]{0,31}$/;

/** Why `value` is not a small flat object of string settings, or null when it is one. */
export function stringRecordProblem(field: string, value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `${field} must be an object of strings`;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_ENTRIES) return `${field} must have at most ${MAX_ENTRIES} entries`;
  for (const [key, item] of entries) {
    if (!KEY.test(key)) return `${field}.${key} is not a valid setting name`;
    if (typeof item !== 'string' || item.length > 200) {
      return `${field}.${key} must be a string of at most 200 characters`;
    }
  }
  return null;
}

/** A flat object of short strings (an endpoint's `settings`). */
export function IsStringRecord(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isStringRecord',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => stringRecordProblem(String(propertyName), value) === null,
        defaultMessage: (args) =>
          stringRecordProblem(String(propertyName), args?.value) ?? 'settings are invalid',
      },
    });
}
