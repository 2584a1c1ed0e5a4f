import { useRef } from 'preact/hooks';
import type { Subscription } from './api.types';
import { Badge } from './badge.component';
import { describeError } from './errors';
import { healthOf } from './health';
import { useI18n } from './i18n/i18n';
import { usePagedList } from './paged-list.hook';
import { ProblemCallout } from './problem.component';
import { useFocusOnArrival, usePortal } from './portal.context';

interface EndpointListProps {
  listId: string;
  onOpen: (subscription: Subscription) => void;
  onAdd: () => void;
}

export function EndpointListView({ listId, onOpen, onAdd }: EndpointListProps) {
  const { api, readOnly } = usePortal();
  const i18n = useI18n();
  const { t } = i18n;
  const heading = useRef<HTMLHeadingElement>(null);
  useFocusOnArrival(heading);
  const endpoints = usePagedList((cursor) => api.listSubscriptions(listId, cursor), listId);

  return (
    <section class="stack" data-testid="endpoint-list" aria-labelledby="endpoints-heading">
      <div class="section-header">
        <div>
          <h2 id="endpoints-heading" class="section-title" tabIndex={-1} ref={heading}>
            {t('endpoints.title')}
          </h2>
          <p class="muted">{t('endpoints.intro')}</p>
        </div>
        {!readOnly && (
          <button
            type="button"
            class="button button--primary"
            data-testid="add-endpoint"
            onClick={onAdd}
          >
            {t('endpoints.add')}
          </button>
        )}
      </div>

      {endpoints.error !== null && (
        <ProblemCallout problem={describeError(endpoints.error, i18n)} />
      )}

      {endpoints.loaded && endpoints.items.length === 0 && (
        <p class="empty">{t('endpoints.empty')}</p>
      )}
      {!endpoints.loaded && endpoints.loading && <p class="muted">{t('app.loading')}</p>}

      {endpoints.items.length > 0 && (
        <ul class="card list" aria-busy={endpoints.loading}>
          {endpoints.items.map((subscription) => {
            const health = healthOf(subscription, i18n);
            return (
              <li
                key={subscription.id}
                class="endpoint-row"
                data-testid="endpoint-row"
                data-endpoint-id={subscription.id}
                data-status={subscription.status}
              >
                <div class="endpoint-row__main">
                  <button
                    type="button"
                    class="link-button endpoint-row__name"
                    onClick={() => onOpen(subscription)}
                  >
                    {subscription.name || t('endpoints.unnamed')}
                  </button>
                  <span class="mono break">{subscription.url}</span>
                  {health.details.length > 0 && (
                    <span class="muted small">{health.details.join(' · ')}</span>
                  )}
                </div>
                <div class="endpoint-row__meta">
                  <Badge tone={health.tone} label={health.label} />
                  <span class="muted small">
                    {t('endpoints.events', { count: subscription.events.length })}
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      )}

      {endpoints.hasMore && (
        <button
          type="button"
          class="button button--secondary load-more"
          data-testid="load-more"
          disabled={endpoints.loading}
          onClick={endpoints.loadMore}
        >
          {t('endpoints.loadMore')}
        </button>
      )}
    </section>
  );
}
