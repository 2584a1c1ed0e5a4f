import { isISO8601, registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * The ISO 8601 forms JavaScript's `Date` reads (ECMAScript's date-time string format): a calendar
 * date, optionally with a time and an offset. ISO 8601 also allows week dates, ordinal dates, basic
 * format and decimal commas, which `new Date()` cannot read.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function isDateTime(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    DATE_TIME.test(value) &&
    isISO8601(value, { strict: true }) &&
    !Number.isNaN(Date.parse(value))
  );
}

/** An ISO 8601 date or date-time that `new Date()` reads as meant (see `DATE_TIME`). */
export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isDateTime',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: { validate: isDateTime },
    });
}
