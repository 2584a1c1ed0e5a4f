import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { LOCALES, type Locale } from '../api.types';
import { de } from './de';
import { en, type MessageKey, type Messages } from './en';
import { it } from './it';

const DICTIONARIES: Record<Locale, Messages> = { en, it, de };

export type { MessageKey };
export type Params = Record<string, string | number>;

export interface I18n {
  locale: Locale;
  t: (key: MessageKey, params?: Params) => string;
  dateTime: (iso: string | null) => string;
  duration: (ms: number | null) => string;
}

function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** The session's locale, else the first browser language we have (by primary tag), else English. */
export function chooseLocale(
  sessionLocale: string | null | undefined,
  browserLanguages: readonly string[] = navigator.languages ?? [navigator.language],
): Locale {
  if (sessionLocale && isLocale(sessionLocale)) return sessionLocale;
  for (const tag of browserLanguages) {
    const primary = tag.split('-')[0]?.toLowerCase() ?? '';
    if (isLocale(primary)) return primary;
  }
  return 'en';
}

export function createI18n(locale: Locale): I18n {
  const messages = DICTIONARIES[locale];
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const numberFormat = new Intl.NumberFormat(locale);
  const t = (key: MessageKey, params?: Params): string =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = params?.[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numberFormat.format(value) : value;
    });
  return {
    locale,
    t,
    dateTime: (iso) => {
      if (!iso) return messages['common.none'];
      const date = new Date(iso);
      return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
    },
    duration: (ms) =>
      ms === null ? messages['common.none'] : t('common.ms', { n: Math.round(ms) }),
  };
}

export const I18nContext = createContext<I18n>(createI18n('en'));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
