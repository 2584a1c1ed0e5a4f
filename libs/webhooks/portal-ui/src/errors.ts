import { ApiError } from './api.client';
import type { I18n } from './i18n/i18n';

export interface Problem {
  /** A localized sentence saying what went wrong. */
  summary: string;
  /** The server's own lines (for example the fields a validation refused), shown as text. */
  details: string[];
}

/** What to tell the visitor about a failed request (401 never gets here: the app ends the session). */
export function describeError(error: unknown, { t }: I18n): Problem {
  if (!(error instanceof ApiError)) return { summary: t('error.server'), details: [] };
  const details = error.messages;
  switch (error.status) {
    case 0:
      return { summary: t('error.network'), details: [] };
    case 400:
      return { summary: t('error.invalid'), details };
    case 403:
      if (error.code === 'portal_read_only') return { summary: t('error.readOnly'), details: [] };
      if (error.code === 'portal_list_not_in_session')
        return { summary: t('error.listNotInSession'), details: [] };
      return { summary: t('error.forbidden'), details };
    case 404:
      return { summary: t('error.notFound'), details: [] };
    case 409:
      return { summary: t('error.conflict'), details };
    case 429:
      return {
        summary:
          error.retryAfterSeconds === null
            ? t('error.rateLimited')
            : t('error.rateLimitedFor', { seconds: error.retryAfterSeconds }),
        details: [],
      };
    default:
      return { summary: t('error.server'), details: [] };
  }
}

export function problemText(problem: Problem): string {
  return [problem.summary, ...problem.details].join(' ');
}
