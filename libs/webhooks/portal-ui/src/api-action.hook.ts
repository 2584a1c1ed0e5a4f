import { useState } from 'preact/hooks';
import { ApiError } from './api.client';
import { describeError, type Problem } from './errors';
import { useI18n } from './i18n/i18n';
import { usePortal } from './portal.context';

/**
 * One button's request: `busy` while it runs, `problem` when it failed. A session error is not
 * shown here: the whole page turns to the expired or invalid link screen instead. A failure takes
 * down the page's success notice, which an earlier action left and which it would contradict.
 */
export function useApiAction() {
  const i18n = useI18n();
  const { dismissNotice } = usePortal();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const fail = (next: Problem) => {
    dismissNotice();
    setProblem(next);
  };
  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ApiError && error.isSessionError)) fail(describeError(error, i18n));
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, fail, run };
}
