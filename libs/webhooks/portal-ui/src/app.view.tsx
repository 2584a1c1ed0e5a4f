import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api.client';
import { ALL_LISTS, type EventCatalogue, type PortalSession, type Subscription } from './api.types';
import { EndpointDetailView } from './endpoint-detail.view';
import { EndpointFormView } from './endpoint-form.view';
import { EndpointListView } from './endpoint-list.view';
import { describeError, problemText } from './errors';
import type { Tone } from './health';
import { chooseLocale, createI18n, I18nContext, useI18n, type I18n } from './i18n/i18n';
import { PortalContext, type Portal } from './portal.context';
import { SessionErrorView, type SessionProblem } from './session-error.view';
import { applyTheme, chooseTheme } from './theme';
import { ToastRegion, type ToastMessage } from './toast.component';

export type Route =
  | { name: 'endpoints' }
  | { name: 'new' }
  | { name: 'endpoint'; id: string; initial?: Subscription }
  | { name: 'edit'; id: string; subscription: Subscription };

type Phase =
  | { name: 'loading' }
  | { name: 'ready'; session: PortalSession; catalogue: EventCatalogue }
  | { name: 'session-error'; problem: SessionProblem }
  | { name: 'failed'; message: string };

const SUCCESS_TOAST_MS = 6000;
/** setTimeout's largest delay; a session longer than that (~24 days) is not timed. */
const MAX_TIMER_MS = 2_147_483_647;

function applyLocale(i18n: I18n): void {
  document.documentElement.lang = i18n.locale;
  document.title = i18n.t('app.title');
}

export function App({ apiBase, token }: { apiBase: string; token: string | null }) {
  const [i18n, setI18n] = useState(() => createI18n(chooseLocale(null)));
  const [phase, setPhase] = useState<Phase>(() =>
    token ? { name: 'loading' } : { name: 'session-error', problem: 'invalid' },
  );
  const [listId, setListId] = useState<string | null>(null);
  const [route, setRoute] = useState<Route>({ name: 'endpoints' });
  const [toast, setToast] = useState<ToastMessage | null>(null);
  const toastSeq = useRef(0);
  const navigated = useRef(false);

  const api = useMemo(() => {
    const client = new ApiClient(apiBase, token ?? '');
    client.onSessionError = (error) =>
      setPhase({
        name: 'session-error',
        problem: error.code === 'portal_session_expired' ? 'expired' : 'invalid',
      });
    return client;
  }, [apiBase, token]);

  useEffect(() => {
    applyTheme(chooseTheme(null));
    applyLocale(i18n);
    if (!token) return;
    Promise.all([api.session(), api.catalogue()]).then(
      ([session, catalogue]) => {
        const chosen = createI18n(chooseLocale(session.locale));
        applyTheme(chooseTheme(session.theme));
        applyLocale(chosen);
        setI18n(chosen);
        setListId(session.lists[0]?.id ?? null);
        setPhase((current) =>
          current.name === 'session-error' ? current : { name: 'ready', session, catalogue },
        );
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.isSessionError) return;
        setPhase({ name: 'failed', message: problemText(describeError(error, i18n)) });
      },
    );
  }, [api]);

  const expiresAt = phase.name === 'ready' ? phase.session.expiresAt : null;
  useEffect(() => {
    if (!expiresAt) return;
    const delay = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(delay) || delay > MAX_TIMER_MS) return;
    const timer = setTimeout(
      () => setPhase({ name: 'session-error', problem: 'expired' }),
      Math.max(delay, 0),
    );
    return () => clearTimeout(timer);
  }, [expiresAt]);

  useEffect(() => {
    if (!toast || toast.tone === 'danger') return;
    const timer = setTimeout(() => setToast(null), SUCCESS_TOAST_MS);
    return () => clearTimeout(timer);
  }, [toast]);

  const portal = useMemo<Portal | null>(() => {
    if (phase.name !== 'ready') return null;
    return {
      api,
      readOnly: phase.session.readOnly,
      catalogue: phase.catalogue,
      navigated,
      notify: (message: string, tone: Tone = 'success') => {
        toastSeq.current += 1;
        setToast({ id: toastSeq.current, message, tone });
      },
      dismissNotice: () => setToast((current) => (current?.tone === 'danger' ? current : null)),
    };
  }, [api, phase]);

  const navigate = (next: Route) => {
    navigated.current = true;
    setRoute(next);
  };

  const body = () => {
    switch (phase.name) {
      case 'session-error':
        return <SessionErrorView problem={phase.problem} />;
      case 'loading':
        return (
          <main class="portal portal--center" aria-busy="true">
            <p class="muted">{i18n.t('app.loading')}</p>
          </main>
        );
      case 'failed':
        return (
          <main class="portal portal--center">
            <p class="callout callout--danger" role="alert">
              {phase.message}
            </p>
          </main>
        );
      case 'ready':
        return (
          <PortalContext.Provider value={portal}>
            <Shell
              session={phase.session}
              listId={listId}
              onListChange={(id) => {
                setListId(id);
                setRoute({ name: 'endpoints' });
              }}
              route={route}
              navigate={navigate}
              toast={toast}
              onDismissToast={() => setToast(null)}
            />
          </PortalContext.Provider>
        );
    }
  };

  return <I18nContext.Provider value={i18n}>{body()}</I18nContext.Provider>;
}

interface ShellProps {
  session: PortalSession;
  listId: string | null;
  onListChange: (listId: string) => void;
  route: Route;
  navigate: (route: Route) => void;
  toast: ToastMessage | null;
  onDismissToast: () => void;
}

function Shell({
  session,
  listId,
  onListChange,
  route,
  navigate,
  toast,
  onDismissToast,
}: ShellProps) {
  const { t, dateTime } = useI18n();
  return (
    <div class="portal">
      <header class="portal__header">
        <div>
          <h1 class="portal__title">{t('app.title')}</h1>
          <p class="muted small">{t('app.validUntil', { time: dateTime(session.expiresAt) })}</p>
        </div>
        {session.lists.length > 0 && (
          <div class="field field--inline">
            <label for="webhooks-portal-list" class="field__label">
              {t('lists.label')}
            </label>
            <select
              id="webhooks-portal-list"
              class="select"
              data-testid="list-picker"
              value={listId ?? ''}
              onChange={(event) => onListChange(event.currentTarget.value)}
            >
              {session.lists.map((list) => (
                <option key={list.id} value={list.id}>
                  {list.id === ALL_LISTS ? t('lists.all') : list.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </header>
      <main class="portal__main">
        {session.readOnly && <p class="callout callout--info">{t('app.readOnly')}</p>}
        {listId === null ? (
          <p class="callout callout--info">{t('app.noLists')}</p>
        ) : (
          <Screen key={listId} listId={listId} route={route} navigate={navigate} />
        )}
        <ToastRegion toast={toast} onDismiss={onDismissToast} />
      </main>
    </div>
  );
}

function Screen({
  listId,
  route,
  navigate,
}: {
  listId: string;
  route: Route;
  navigate: (route: Route) => void;
}) {
  switch (route.name) {
    case 'endpoints':
      return (
        <EndpointListView
          listId={listId}
          onOpen={(subscription) =>
            navigate({ name: 'endpoint', id: subscription.id, initial: subscription })
          }
          onAdd={() => navigate({ name: 'new' })}
        />
      );
    case 'new':
      return (
        <EndpointFormView
          listId={listId}
          onDone={(created) =>
            navigate(
              created
                ? { name: 'endpoint', id: created.id, initial: created }
                : { name: 'endpoints' },
            )
          }
        />
      );
    case 'edit':
      return (
        <EndpointFormView
          listId={listId}
          subscription={route.subscription}
          onDone={(saved) =>
            navigate({ name: 'endpoint', id: route.id, initial: saved ?? route.subscription })
          }
        />
      );
    case 'endpoint':
      return (
        <EndpointDetailView
          key={route.id}
          listId={listId}
          id={route.id}
          initial={route.initial}
          onBack={() => navigate({ name: 'endpoints' })}
          onEdit={(subscription) => navigate({ name: 'edit', id: subscription.id, subscription })}
        />
      );
  }
}
