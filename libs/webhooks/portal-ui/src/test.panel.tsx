import { useState } from 'preact/hooks';
import { useApiAction } from './api-action.hook';
import type { Subscription, TestResult } from './api.types';
import { Badge } from './badge.component';
import { useI18n } from './i18n/i18n';
import { usePortal } from './portal.context';
import { ProblemCallout } from './problem.component';

interface TestPanelProps {
  listId: string;
  subscription: Subscription;
  onTested: () => void;
}

export function TestPanel({ listId, subscription, onTested }: TestPanelProps) {
  const { api } = usePortal();
  const { t, duration } = useI18n();
  const [result, setResult] = useState<TestResult | null>(null);
  const { busy, problem, run } = useApiAction();

  const send = () =>
    run(async () => {
      setResult(null);
      setResult(await api.sendTest(listId, subscription.id));
      onTested();
    });

  return (
    <section class="card stack" aria-labelledby="test-heading">
      <h3 id="test-heading" class="card-title">
        {t('test.title')}
      </h3>
      <p class="muted">{t('test.hint')}</p>
      <div>
        <button
          type="button"
          class="button button--secondary"
          data-testid="send-test"
          disabled={busy}
          aria-busy={busy}
          onClick={() => void send()}
        >
          {busy ? t('test.sending') : t('test.send')}
        </button>
      </div>
      <div aria-live="polite">
        {result && (
          <div
            class="test-result"
            data-testid="test-result"
            data-delivered={String(result.delivered)}
          >
            <Badge
              tone={result.delivered ? 'success' : 'danger'}
              label={result.delivered ? t('test.delivered') : t('test.notDelivered')}
            />
            <dl class="props props--compact">
              <dt>{t('test.statusCode')}</dt>
              <dd class="mono">{result.statusCode ?? t('common.none')}</dd>
              <dt>{t('test.duration')}</dt>
              <dd>{duration(result.durationMs)}</dd>
              {result.error && (
                <>
                  <dt>{t('test.error')}</dt>
                  <dd class="break">{result.error}</dd>
                </>
              )}
            </dl>
          </div>
        )}
      </div>
      {problem && <ProblemCallout problem={problem} />}
    </section>
  );
}
