import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.client';
import type { Subscription } from './api.types';
import { Badge } from './badge.component';
import { ConfirmDialog } from './confirm.dialog';
import { DeliveryLogView } from './delivery-log.view';
import { describeError, problemText, type Problem } from './errors';
import { healthOf } from './health';
import { useI18n, type MessageKey } from './i18n/i18n';
import { sourceLabel } from './labels';
import { useFocusOnArrival, usePortal } from './portal.context';
import { ProblemCallout } from './problem.component';
import { RecoverPanel } from './recover.panel';
import { SecretPanel } from './secret.panel';
import { TestPanel } from './test.panel';

interface EndpointDetailProps {
  listId: string;
  id: string;
  /** What the previous screen already had (the create answer carries the secret, shown once). */
  initial?: Subscription;
  onBack: () => void;
  onEdit: (subscription: Subscription) => void;
}

export function EndpointDetailView({ listId, id, initial, onBack, onEdit }: EndpointDetailProps) {
  const { api, readOnly, catalogue, notify } = usePortal();
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const [subscription, setSubscription] = useState<Subscription | null>(initial ?? null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [logVersion, setLogVersion] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnArrival(heading);

  const refresh = () =>
    api.getSubscription(listId, id).then(
      (fresh) => setSubscription(fresh),
      (error: unknown) => {
        if (!(error instanceof ApiError && error.isSessionError))
          setProblem(describeError(error, i18n));
      },
    );

  useEffect(() => {
    void refresh();
  }, [listId, id]);

  const setStatus = async (status: 'active' | 'paused') => {
    setBusy(true);
    try {
      setSubscription(await api.updateSubscription(listId, id, { status }));
      notify(status === 'paused' ? t('detail.paused') : t('detail.resumed'));
    } catch (error) {
      if (!(error instanceof ApiError && error.isSessionError))
        notify(problemText(describeError(error, i18n)), 'danger');
    } finally {
      setBusy(false);
    }
  };

  const verify = async () => {
    setBusy(true);
    try {
      const answer = await api.verify(listId, id);
      notify(
        answer.status === 'active' ? t('detail.verified') : t('detail.notVerified'),
        answer.status === 'active' ? undefined : 'danger',
      );
      await refresh();
    } catch (error) {
      if (!(error instanceof ApiError && error.isSessionError))
        notify(problemText(describeError(error, i18n)), 'danger');
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    try {
      await api.deleteSubscription(listId, id);
      notify(t('detail.deleted'));
      onBack();
    } catch (error) {
      setConfirmDelete(false);
      if (!(error instanceof ApiError && error.isSessionError))
        notify(problemText(describeError(error, i18n)), 'danger');
    }
  };

  const backLink = (
    <button type="button" class="link-button back-link" onClick={onBack}>
      <span aria-hidden="true">← </span>
      {t('detail.back')}
    </button>
  );

  if (!subscription) {
    return (
      <section class="stack" data-testid="endpoint-detail" aria-busy={!problem}>
        {backLink}
        {problem ? <ProblemCallout problem={problem} /> : <p class="muted">{t('app.loading')}</p>}
      </section>
    );
  }

  const health = healthOf(subscription, i18n);
  const descriptions = new Map(catalogue.eventTypes.map((type) => [type.type, type.description]));
  const headers = Object.entries(subscription.headers ?? {});

  return (
    <div
      class="stack"
      data-testid="endpoint-detail"
      data-endpoint-id={subscription.id}
      data-status={subscription.status}
    >
      {backLink}
      <section class="card stack" aria-labelledby="endpoint-heading">
        <div class="section-header">
          <div class="stack stack--tight min-0">
            <h2 id="endpoint-heading" class="section-title" tabIndex={-1} ref={heading}>
              {subscription.name || t('endpoints.unnamed')}
            </h2>
            <p class="mono break">{subscription.url}</p>
          </div>
          {!readOnly && (
            <div class="button-row">
              <button
                type="button"
                class="button button--secondary"
                onClick={() => onEdit(subscription)}
              >
                {t('detail.edit')}
              </button>
              {subscription.status === 'active' && (
                <button
                  type="button"
                  class="button button--secondary"
                  data-testid="pause-endpoint"
                  disabled={busy}
                  onClick={() => void setStatus('paused')}
                >
                  {t('detail.pause')}
                </button>
              )}
              {subscription.status === 'pending_verification' && (
                <button
                  type="button"
                  class="button button--secondary"
                  data-testid="verify-endpoint"
                  disabled={busy}
                  onClick={() => void verify()}
                >
                  {t('detail.verify')}
                </button>
              )}
              {(subscription.status === 'paused' || subscription.status === 'disabled') && (
                <button
                  type="button"
                  class="button button--secondary"
                  data-testid="resume-endpoint"
                  disabled={busy}
                  onClick={() => void setStatus('active')}
                >
                  {t('detail.resume')}
                </button>
              )}
              <button
                type="button"
                class="button button--danger-outline"
                data-testid="delete-endpoint"
                onClick={() => setConfirmDelete(true)}
              >
                {t('detail.delete')}
              </button>
            </div>
          )}
        </div>
        <div class="health">
          <Badge tone={health.tone} label={health.label} />
          {health.details.map((line, index) => (
            <span key={index} class="muted small">
              {line}
            </span>
          ))}
        </div>
      </section>

      <section class="card stack" aria-labelledby="endpoint-settings-heading">
        <h3 id="endpoint-settings-heading" class="card-title">
          {t('detail.settings')}
        </h3>
        <dl class="props">
          <dt>{t('form.description')}</dt>
          <dd class="pre-line">{subscription.description || t('detail.noDescription')}</dd>
          <dt>{t('form.events')}</dt>
          <dd>
            <ul class="plain-list">
              {subscription.events.map((type) => (
                <li key={type}>
                  <span class="mono">{type}</span>
                  {descriptions.get(type) && (
                    <span class="muted small"> — {descriptions.get(type)}</span>
                  )}
                </li>
              ))}
            </ul>
          </dd>
          <dt>{t('form.sources')}</dt>
          <dd>{subscription.sources.map((source) => sourceLabel(source, t)).join(', ')}</dd>
          <dt>{t('form.payloadFormat')}</dt>
          <dd>{t(`format.${subscription.payloadFormat}` satisfies MessageKey)}</dd>
          <dt>{t('form.headers')}</dt>
          <dd>
            {headers.length === 0 ? (
              t('form.noHeaders')
            ) : (
              <ul class="plain-list">
                {headers.map(([name, value]) => (
                  <li key={name} class="mono break">
                    {name}: {value}
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>{t('detail.created')}</dt>
          <dd>{dateTime(subscription.createdAt)}</dd>
        </dl>
      </section>

      <SecretPanel
        listId={listId}
        subscription={subscription}
        createdSecret={initial?.secret ?? null}
        onRotated={() => void refresh()}
      />

      {!readOnly && (
        <TestPanel listId={listId} subscription={subscription} onTested={() => void refresh()} />
      )}

      <DeliveryLogView listId={listId} subscription={subscription} version={logVersion} />

      {!readOnly && (
        <RecoverPanel
          listId={listId}
          subscription={subscription}
          onRecovered={() => setLogVersion((version) => version + 1)}
        />
      )}

      {confirmDelete && (
        <ConfirmDialog
          title={t('detail.deleteTitle')}
          body={t('detail.deleteBody', { url: subscription.url })}
          confirmLabel={t('detail.delete')}
          danger
          onConfirm={remove}
          onClose={() => setConfirmDelete(false)}
        />
      )}
    </div>
  );
}
