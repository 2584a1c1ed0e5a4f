import type { DeliveryStatus } from './api.types';
import type { Tone } from './health';
import { useI18n } from './i18n/i18n';

export function Badge({ tone, label }: { tone: Tone; label: string }) {
  return <span class={`badge badge--${tone}`}>{label}</span>;
}

const DELIVERY_TONES: Record<DeliveryStatus, Tone> = {
  pending: 'info',
  held: 'neutral',
  succeeded: 'success',
  failed: 'warning',
  exhausted: 'danger',
  cancelled: 'neutral',
};

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return <Badge tone={DELIVERY_TONES[status] ?? 'neutral'} label={t(`status.${status}`)} />;
}
