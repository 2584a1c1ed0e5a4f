import type {
  PayloadFormat,
  Subscription,
  SubscriptionChanges,
  SubscriptionInput,
} from './api.types';
import type { I18n } from './i18n/i18n';

/** The server's limit (libs/webhooks/src/security/custom-headers.ts). */
export const MAX_HEADERS = 10;

export interface HeaderRow {
  key: number;
  name: string;
  value: string;
}

export interface EndpointDraft {
  url: string;
  name: string;
  description: string;
  events: string[];
  sources: string[];
  payloadFormat: PayloadFormat;
  headers: HeaderRow[];
}

/** The request fields a client-side problem is about, to mark those inputs invalid. */
export type DraftField = 'url' | 'events' | 'sources' | 'headers' | 'name' | 'description';

export interface DraftProblem {
  field: DraftField;
  message: string;
}

let rowKeys = 0;
export function headerRow(name = '', value = ''): HeaderRow {
  rowKeys += 1;
  return { key: rowKeys, name, value };
}

export function draftOf(subscription: Subscription | undefined, sources: string[]): EndpointDraft {
  if (!subscription) {
    return {
      url: '',
      name: '',
      description: '',
      events: [],
      sources: [...sources],
      payloadFormat: 'json',
      headers: [],
    };
  }
  return {
    url: subscription.url,
    name: subscription.name ?? '',
    description: subscription.description ?? '',
    events: [...subscription.events],
    sources: [...subscription.sources],
    payloadFormat: subscription.payloadFormat,
    headers: Object.entries(subscription.headers ?? {}).map(([name, value]) =>
      headerRow(name, value),
    ),
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The mistakes worth catching before a round trip; the server checks everything again. */
export function checkDraft(draft: EndpointDraft, { t }: I18n): DraftProblem[] {
  const problems: DraftProblem[] = [];
  if (!isHttpUrl(draft.url.trim())) problems.push({ field: 'url', message: t('form.error.url') });
  if (draft.events.length === 0)
    problems.push({ field: 'events', message: t('form.error.events') });
  if (draft.sources.length === 0)
    problems.push({ field: 'sources', message: t('form.error.sources') });
  if (draft.headers.length > MAX_HEADERS)
    problems.push({ field: 'headers', message: t('form.error.headersMax', { max: MAX_HEADERS }) });
  const seen = new Set<string>();
  draft.headers.forEach((row, index) => {
    const name = row.name.trim();
    if (!name) {
      problems.push({ field: 'headers', message: t('form.error.headerName', { n: index + 1 }) });
    } else if (seen.has(name.toLowerCase())) {
      problems.push({ field: 'headers', message: t('form.error.headerTwice', { name }) });
    }
    seen.add(name.toLowerCase());
  });
  return problems;
}

function headersOf(draft: EndpointDraft): Record<string, string> {
  return Object.fromEntries(draft.headers.map((row) => [row.name.trim(), row.value]));
}

export function toCreateInput(draft: EndpointDraft): SubscriptionInput {
  const input: SubscriptionInput = {
    url: draft.url.trim(),
    events: draft.events,
    sources: draft.sources,
    payloadFormat: draft.payloadFormat,
  };
  const name = draft.name.trim();
  const description = draft.description.trim();
  if (name) input.name = name;
  if (description) input.description = description;
  if (draft.headers.length > 0) input.headers = headersOf(draft);
  return input;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Only what changed: an edit must not overwrite fields someone else changed meanwhile. */
export function toChanges(draft: EndpointDraft, current: Subscription): SubscriptionChanges {
  const changes: SubscriptionChanges = {};
  const url = draft.url.trim();
  if (url !== current.url) changes.url = url;
  const name = draft.name.trim();
  if (name !== (current.name ?? '')) changes.name = name || null;
  const description = draft.description.trim();
  if (description !== (current.description ?? '')) changes.description = description || null;
  if (!sameSet(draft.events, current.events)) changes.events = draft.events;
  if (!sameSet(draft.sources, current.sources)) changes.sources = draft.sources;
  if (draft.payloadFormat !== current.payloadFormat) changes.payloadFormat = draft.payloadFormat;
  const headers = headersOf(draft);
  if (!sameHeaders(headers, current.headers ?? {})) {
    changes.headers = draft.headers.length > 0 ? headers : null;
  }
  return changes;
}

/** Which fields the server's validation lines name (they start with the field, e.g. `url must…`). */
export function fieldsNamedIn(lines: readonly string[]): Set<DraftField> {
  const fields: DraftField[] = ['url', 'events', 'sources', 'headers', 'name', 'description'];
  return new Set(
    fields.filter((field) =>
      lines.some((line) => new RegExp(`^(each value in )?${field}\\b`).test(line)),
    ),
  );
}
