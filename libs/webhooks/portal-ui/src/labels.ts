import type { I18n, MessageKey } from './i18n/i18n';

const SOURCES = ['contact', 'admin', 'api', 'system'] as const;
const TRIGGERS = ['scheduled', 'redelivery', 'test', 'probe', 'verification'] as const;
const ERROR_KINDS = [
  'http_status',
  'timeout',
  'connection',
  'address_blocked',
  'network',
  'challenge_mismatch',
] as const;

function known<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/** Human names for the server's codes; a code we do not know yet is shown as it came. */
export function sourceLabel(source: string, t: I18n['t']): string {
  return known(SOURCES, source) ? t(`source.${source}` satisfies MessageKey) : source;
}

export function triggerLabel(trigger: string, t: I18n['t']): string {
  return known(TRIGGERS, trigger) ? t(`trigger.${trigger}` satisfies MessageKey) : trigger;
}

export function errorKindLabel(kind: string, t: I18n['t']): string {
  return known(ERROR_KINDS, kind) ? t(`errorKind.${kind}` satisfies MessageKey) : kind;
}
