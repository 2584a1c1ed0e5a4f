import { useI18n } from './i18n/i18n';

export type SessionProblem = 'expired' | 'invalid';

/** Replaces the whole portal: once the session is gone, no data of it stays on screen. */
export function SessionErrorView({ problem }: { problem: SessionProblem }) {
  const { t } = useI18n();
  return (
    <main class="portal portal--center">
      <div
        class="card session-error"
        data-testid="session-error"
        data-problem={problem}
        role="alert"
      >
        <h1 class="session-error__title">
          {problem === 'expired' ? t('session.expired') : t('session.invalid')}
        </h1>
      </div>
    </main>
  );
}
