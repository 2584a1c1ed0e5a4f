import { useRef, useState } from 'preact/hooks';
import { ApiError } from './api.client';
import type { Subscription } from './api.types';
import { copyText } from './clipboard';
import { ConfirmDialog } from './confirm.dialog';
import { describeError, problemText } from './errors';
import { useI18n } from './i18n/i18n';
import { usePortal } from './portal.context';

interface SecretPanelProps {
  listId: string;
  subscription: Subscription;
  /** The secret from the create answer: the one time it comes without asking. */
  createdSecret: string | null;
  onRotated: () => void;
}

export function SecretPanel({ listId, subscription, createdSecret, onRotated }: SecretPanelProps) {
  const { api, readOnly, notify } = usePortal();
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const [secret, setSecret] = useState<string | null>(createdSecret);
  const [busy, setBusy] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const value = useRef<HTMLElement>(null);
  const justCreated = createdSecret !== null && secret === createdSecret;

  const report = (error: unknown) => {
    if (!(error instanceof ApiError && error.isSessionError))
      notify(problemText(describeError(error, i18n)), 'danger');
  };

  const toggle = async () => {
    if (secret !== null) {
      setSecret(null);
      return;
    }
    setBusy(true);
    try {
      setSecret((await api.revealSecret(listId, subscription.id)).secret);
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  const rotate = async () => {
    try {
      const rotated = await api.rotateSecret(listId, subscription.id);
      setSecret(rotated.secret);
      setConfirmRotate(false);
      notify(t('secret.rotated', { time: dateTime(rotated.previousSecretExpiresAt) }));
      onRotated();
    } catch (error) {
      setConfirmRotate(false);
      report(error);
    }
  };

  const copy = async () => {
    if (secret === null) return;
    const copied = await copyText(secret, value.current);
    notify(copied ? t('secret.copied') : t('secret.copyFailed'), copied ? 'success' : 'info');
  };

  const previous = subscription.previousSecretExpiresAt;
  const previousInForce = previous !== null && Date.parse(previous) > Date.now();

  return (
    <section class="card stack" aria-labelledby="secret-heading">
      <h3 id="secret-heading" class="card-title">
        {t('secret.title')}
      </h3>
      {readOnly ? (
        <p class="muted">{t('secret.readOnly')}</p>
      ) : (
        <>
          {justCreated && (
            <div class="callout callout--success">
              <p class="callout__title">{t('secret.createdTitle')}</p>
              <p>{t('secret.createdHint')}</p>
            </div>
          )}
          <p class="muted">{t('secret.hint')}</p>
          {secret !== null && (
            <div class="secret">
              <code class="secret__value mono" data-testid="secret-value" ref={value}>
                {secret}
              </code>
              <button
                type="button"
                class="button button--secondary button--small"
                onClick={() => void copy()}
              >
                {t('secret.copy')}
              </button>
            </div>
          )}
          {previousInForce && (
            <p class="muted small">{t('secret.previousUntil', { time: dateTime(previous) })}</p>
          )}
          <div class="button-row">
            <button
              type="button"
              class="button button--secondary"
              data-testid="reveal-secret"
              disabled={busy}
              onClick={() => void toggle()}
            >
              {secret === null ? t('secret.reveal') : t('secret.hide')}
            </button>
            <button
              type="button"
              class="button button--secondary"
              data-testid="rotate-secret"
              onClick={() => setConfirmRotate(true)}
            >
              {t('secret.rotate')}
            </button>
          </div>
        </>
      )}
      {confirmRotate && (
        <ConfirmDialog
          title={t('secret.rotateTitle')}
          body={t('secret.rotateBody')}
          confirmLabel={t('secret.rotate')}
          onConfirm={rotate}
          onClose={() => setConfirmRotate(false)}
        />
      )}
    </section>
  );
}
