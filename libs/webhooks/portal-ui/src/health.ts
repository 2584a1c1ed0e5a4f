import type { Subscription } from './api.types';
import type { I18n, MessageKey } from './i18n/i18n';

export type Tone = 'success' | 'warning' | 'danger' | 'neutral' | 'info';

export interface Health {
  tone: Tone;
  label: string;
  /** Localized sentences (the server's disabled reason is kept as it came). */
  details: string[];
}

/** How an endpoint is doing, from its status and failure counters. */
export function healthOf(subscription: Subscription, { t, dateTime }: I18n): Health {
  const { status } = subscription;
  const label = t(`health.${status}` satisfies MessageKey);
  switch (status) {
    case 'disabled':
      return {
        tone: 'danger',
        label,
        details: [
          ...(subscription.disabledAt
            ? [t('health.disabledAt', { time: dateTime(subscription.disabledAt) })]
            : []),
          ...(subscription.disabledReason ? [subscription.disabledReason] : []),
          t('health.disabledHint'),
        ],
      };
    case 'paused':
      return { tone: 'neutral', label, details: [t('health.pausedHint')] };
    case 'pending_verification':
      return { tone: 'info', label, details: [t('health.pendingHint')] };
    case 'active':
      if (subscription.failingSince) {
        return {
          tone: 'warning',
          label: t('health.failing'),
          details: [
            t('health.failingSince', {
              time: dateTime(subscription.failingSince),
              count: subscription.consecutiveFailures,
            }),
          ],
        };
      }
      return {
        tone: 'success',
        label,
        details: subscription.lastSuccessAt
          ? [t('health.lastSuccess', { time: dateTime(subscription.lastSuccessAt) })]
          : [],
      };
  }
}
