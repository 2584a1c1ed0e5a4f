import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { useI18n } from './i18n/i18n';

interface DialogProps {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testId?: string;
  footer?: ComponentChildren;
}

/**
 * A modal on the native <dialog>: the browser keeps focus inside and the rest inert; Escape closes
 * through our onClose, and focus goes back to the control that opened it.
 */
export function Dialog({ title, onClose, children, testId, footer }: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const onCancel = (event: Event) => {
      // Our state decides whether the dialog exists: the browser must not close it behind our back.
      event.preventDefault();
      close.current();
    };
    dialog.addEventListener('cancel', onCancel);
    if (!dialog.open) dialog.showModal();
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} data-testid={testId}>
      <div class="dialog__header">
        <h2 id={titleId} class="dialog__title">
          {title}
        </h2>
        <button
          type="button"
          class="button button--ghost button--icon"
          aria-label={t('common.close')}
          onClick={() => close.current()}
        >
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div class="dialog__body">{children}</div>
      {footer && <div class="dialog__footer">{footer}</div>}
    </dialog>
  );
}
