import { useState } from 'preact/hooks';
import { Dialog } from './dialog.component';
import { useI18n } from './i18n/i18n';

interface ConfirmProps {
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  /** Resolves when done; the dialog stays open (and busy) until then. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  danger,
  onConfirm,
  onClose,
}: ConfirmProps) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const confirm = () => {
    setBusy(true);
    void onConfirm().finally(() => setBusy(false));
  };
  return (
    <Dialog
      title={title}
      onClose={onClose}
      testId="confirm-dialog"
      footer={
        <>
          <button type="button" class="button button--secondary" onClick={onClose} autofocus>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            class={`button ${danger ? 'button--danger' : 'button--primary'}`}
            disabled={busy}
            aria-busy={busy}
            onClick={confirm}
            data-testid="confirm-action"
          >
            {confirmLabel}
          </button>
        </>
      }
    >
      <p>{body}</p>
    </Dialog>
  );
}
