import { registerDecorator, type ValidationOptions } from 'class-validator';
import { ContentFilterError, parseContentFilter } from '../../filters/content-filter';

function problemsOf(value: unknown, field: string): string[] {
  try {
    parseContentFilter(value, field);
    return [];
  } catch (error) {
    if (error instanceof ContentFilterError) return error.problems;
    throw error;
  }
}

/** A content filter the library can evaluate; the message names where each problem is. */
export function IsContentFilter(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isContentFilter',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value, args) => problemsOf(value, args?.property ?? 'filter').length === 0,
        defaultMessage: (args) => problemsOf(args?.value, args?.property ?? 'filter').join('; '),
      },
    });
}
