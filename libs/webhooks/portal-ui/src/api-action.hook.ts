import { useState } from 'preact/hooks';
import { ApiError } from './api.client';
import { describeError, type Problem } from './errors';
import { useI18n } from './i18n/i18n';

/**
 * One button's request: `busy` while it runs, `problem` when it failed. A session error is not
 * shown here: the whole page turns to the expired or invalid link screen instead.
 */
export function useApiAction() {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ApiError && error.isSessionError)) {
        setProblem(describeError(error, i18n));
      }
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, setProblem, run };
}
