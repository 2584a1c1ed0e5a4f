import { useState } from 'preact/hooks';
import { useApiAction } from './api-action.hook';
import type { Subscription } from './api.types';
import { fromLocalInput, toLocalInput } from './datetime-local';
import { useI18n } from './i18n/i18n';
import { usePortal } from './portal.context';
import { ProblemCallout } from './problem.component';

const DAY_MS = 24 * 60 * 60 * 1000;

interface RecoverPanelProps {
  listId: string;
  subscription: Subscription;
  onRecovered: () => void;
}

export function RecoverPanel({ listId, subscription, onRecovered }: RecoverPanelProps) {
  const { api, notify } = usePortal();
  const { t } = useI18n();
  // Where the failures started, when known: that is what the visitor most likely wants back.
  const [since, setSince] = useState(() =>
    toLocalInput(
      subscription.failingSince
        ? new Date(subscription.failingSince)
        : new Date(Date.now() - DAY_MS),
    ),
  );
  const { busy, problem, fail, run } = useApiAction();

  const submit = async () => {
    const iso = fromLocalInput(since);
    if (iso === null) {
      fail({ summary: t('recover.invalid'), details: [] });
      return;
    }
    await run(async () => {
      const { requeued } = await api.recover(listId, subscription.id, iso);
      notify(t('recover.done', { count: requeued }));
      onRecovered();
    });
  };

  return (
    <section class="card stack" aria-labelledby="recover-heading">
      <h3 id="recover-heading" class="card-title">
        {t('recover.title')}
      </h3>
      <p class="muted">{t('recover.hint')}</p>
      <form
        class="inline-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div class="field">
          <label class="field__label" for="recover-since">
            {t('recover.since')}
          </label>
          <input
            id="recover-since"
            type="datetime-local"
            class="input"
            data-testid="recover-since"
            required
            max={toLocalInput(new Date())}
            value={since}
            onInput={(event) => setSince(event.currentTarget.value)}
          />
        </div>
        <button
          type="submit"
          class="button button--secondary"
          data-testid="recover-submit"
          disabled={busy}
          aria-busy={busy}
        >
          {t('recover.submit')}
        </button>
      </form>
      {problem && <ProblemCallout problem={problem} />}
    </section>
  );
}
