import {
  registerDecorator,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { customHeadersProblem } from '../../security/custom-headers';

/** Static headers a subscription may add: no hop-by-hop, framing or signature headers. */
export function IsCustomHeaders(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCustomHeaders',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => customHeadersProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          customHeadersProblem(args?.value) ?? 'headers are invalid',
      },
    });
}
