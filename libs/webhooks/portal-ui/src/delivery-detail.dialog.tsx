import { useState } from 'preact/hooks';
import { ApiError } from './api.client';
import type { Delivery } from './api.types';
import { DeliveryStatusBadge } from './badge.component';
import { Dialog } from './dialog.component';
import { describeError, problemText } from './errors';
import { useI18n } from './i18n/i18n';
import { errorKindLabel, triggerLabel } from './labels';
import { usePortal } from './portal.context';

interface DeliveryDetailProps {
  listId: string;
  delivery: Delivery;
  onRedelivered: () => void;
  onClose: () => void;
}

export function DeliveryDetailDialog({
  listId,
  delivery,
  onRedelivered,
  onClose,
}: DeliveryDetailProps) {
  const { api, readOnly, notify } = usePortal();
  const i18n = useI18n();
  const { t, dateTime, duration } = i18n;
  const [busy, setBusy] = useState(false);
  // Said inside the dialog too: while it is modal, the page's own live region is inert.
  const [said, setSaid] = useState('');
  const attempts = [...delivery.attempts].sort((a, b) => b.attemptNumber - a.attemptNumber);

  const redeliver = async () => {
    setBusy(true);
    try {
      const answer = await api.redeliver(listId, delivery.subscriptionId, delivery.id);
      const message = answer.merged
        ? t('delivery.redeliveryMerged', { n: answer.attempt })
        : t('delivery.redelivered', { n: answer.attempt });
      setSaid(message);
      notify(message);
      onRedelivered();
    } catch (error) {
      if (error instanceof ApiError && error.isSessionError) return;
      const message = problemText(describeError(error, i18n));
      setSaid(message);
      notify(message, 'danger');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`${t('delivery.title')} · ${delivery.eventType}`}
      onClose={onClose}
      testId="delivery-detail"
      footer={
        readOnly ? undefined : (
          <>
            <p class="dialog__status small" role="status">
              {said}
            </p>
            <button
              type="button"
              class="button button--primary"
              data-testid="redeliver"
              disabled={busy || delivery.status === 'cancelled'}
              aria-busy={busy}
              onClick={() => void redeliver()}
            >
              {t('delivery.redeliver')}
            </button>
          </>
        )
      }
    >
      <dl class="props">
        <dt>{t('deliveries.status')}</dt>
        <dd>
          <DeliveryStatusBadge status={delivery.status} />
        </dd>
        <dt>{t('delivery.eventType')}</dt>
        <dd class="mono">{delivery.eventType}</dd>
        <dt>{t('delivery.created')}</dt>
        <dd>{dateTime(delivery.createdAt)}</dd>
        {delivery.nextAttemptAt && (
          <>
            <dt>{t('delivery.nextAttempt')}</dt>
            <dd>{dateTime(delivery.nextAttemptAt)}</dd>
          </>
        )}
        <dt>{t('delivery.id')}</dt>
        <dd class="mono break">{delivery.id}</dd>
        <dt>{t('delivery.eventId')}</dt>
        <dd class="mono break">{delivery.eventId}</dd>
      </dl>

      <h3 class="card-title">{t('delivery.attempts')}</h3>
      {attempts.length === 0 ? (
        <p class="muted">{t('delivery.noAttempts')}</p>
      ) : (
        <ol class="attempts">
          {attempts.map((attempt) => (
            <li
              key={attempt.id}
              class="attempt"
              data-testid="attempt-row"
              data-attempt-number={attempt.attemptNumber}
            >
              <div class="attempt__header">
                <h4 class="attempt__title">{t('attempt.title', { n: attempt.attemptNumber })}</h4>
                <time class="muted small" dateTime={attempt.createdAt}>
                  {dateTime(attempt.createdAt)}
                </time>
              </div>
              <dl class="props props--compact">
                <dt>{t('attempt.trigger')}</dt>
                <dd>{triggerLabel(attempt.trigger, t)}</dd>
                <dt>{t('attempt.statusCode')}</dt>
                <dd class="mono">{attempt.statusCode ?? t('common.none')}</dd>
                <dt>{t('attempt.duration')}</dt>
                <dd>{duration(attempt.durationMs)}</dd>
                {attempt.errorKind && (
                  <>
                    <dt>{t('attempt.errorKind')}</dt>
                    <dd>{errorKindLabel(attempt.errorKind, t)}</dd>
                  </>
                )}
                {attempt.errorMessage && (
                  <>
                    <dt>{t('attempt.errorMessage')}</dt>
                    <dd class="break">{attempt.errorMessage}</dd>
                  </>
                )}
              </dl>
              <p class="field__label">{t('attempt.response')}</p>
              {attempt.responseExcerpt ? (
                <pre class="excerpt" data-testid="response-excerpt">
                  {attempt.responseExcerpt}
                </pre>
              ) : (
                <p class="muted small">{t('attempt.noResponse')}</p>
              )}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
