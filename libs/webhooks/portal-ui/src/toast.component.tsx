import type { Tone } from './health';
import { useI18n } from './i18n/i18n';

export interface ToastMessage {
  id: number;
  message: string;
  tone: Tone;
}

/** The live region exists from the start, so screen readers announce what is put into it. */
export function ToastRegion({
  toast,
  onDismiss,
}: {
  toast: ToastMessage | null;
  onDismiss: () => void;
}) {
  const { t } = useI18n();
  return (
    <div
      class="toast-region"
      role="status"
      aria-live="polite"
      aria-label={t('common.notifications')}
    >
      {toast && (
        <div key={toast.id} class={`toast toast--${toast.tone}`} data-testid="toast">
          <span class="toast__message">{toast.message}</span>
          <button
            type="button"
            class="button button--ghost button--icon"
            aria-label={t('common.dismiss')}
            onClick={onDismiss}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
      )}
    </div>
  );
}
