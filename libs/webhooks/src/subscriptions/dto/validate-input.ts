import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { tooDeepProblem } from '../../common/nesting-depth';
import { findUnstorableText } from '../../common/unstorable-text';
import { InvalidSubscriptionError } from '../../webhooks.errors';

function messages(errors: ValidationError[]): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}),
    ...messages(error.children ?? []),
  ]);
}

/**
 * Applies a DTO's rules to input that did not come through the admin controller (the host calling the
 * service from code), so both paths accept exactly the same subscriptions.
 */
export function validateInput<T extends object>(
  type: new () => T,
  input: object,
  invalid: (problems: string[]) => Error = (problems) => new InvalidSubscriptionError(problems),
): T {
  const deep = tooDeepProblem(input);
  if (deep) throw invalid([deep]);
  const unstorable = findUnstorableText(input);
  if (unstorable) throw invalid([unstorable]);
  const instance = plainToInstance(type, input);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw invalid(messages(errors));
  return instance;
}
