import { useEffect, useRef, useState } from 'preact/hooks';
import {
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
  type Subscription,
} from './api.types';
import { DeliveryStatusBadge } from './badge.component';
import { DeliveryDetailDialog } from './delivery-detail.dialog';
import { describeError } from './errors';
import { useI18n } from './i18n/i18n';
import { usePagedList } from './paged-list.hook';
import { usePortal } from './portal.context';
import { ProblemCallout } from './problem.component';

const TEST_EVENT = 'webhook.test';

interface DeliveryLogProps {
  listId: string;
  subscription: Subscription;
  /** Bumped by the screen when something it did (a recovery) changed the log. */
  version: number;
}

function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (DELIVERY_STATUSES as readonly string[]).includes(value);
}

export function DeliveryLogView({ listId, subscription, version }: DeliveryLogProps) {
  const { api, catalogue } = usePortal();
  const i18n = useI18n();
  const { t, dateTime } = i18n;
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const [eventType, setEventType] = useState('');
  // The row as opened: a refresh may filter it out while its dialog is still open.
  const [opened, setOpened] = useState<Delivery | null>(null);
  const filter = { status: status || undefined, eventType: eventType || undefined };
  const deliveries = usePagedList(
    (cursor) => api.listDeliveries(listId, subscription.id, filter, cursor),
    `${subscription.id}|${status}|${eventType}`,
  );
  const firstVersion = useRef(version);
  useEffect(() => {
    if (version !== firstVersion.current) deliveries.reload();
  }, [version]);

  const eventTypes = [
    ...new Set([
      ...subscription.events,
      ...catalogue.eventTypes.map((type) => type.type),
      TEST_EVENT,
    ]),
  ];
  const open = opened && (deliveries.items.find((delivery) => delivery.id === opened.id) ?? opened);

  return (
    <section class="card stack" data-testid="delivery-log" aria-labelledby="deliveries-heading">
      <div class="section-header">
        <h3 id="deliveries-heading" class="card-title">
          {t('deliveries.title')}
        </h3>
        <button
          type="button"
          class="button button--ghost button--small"
          disabled={deliveries.loading}
          onClick={deliveries.reload}
        >
          {t('deliveries.refresh')}
        </button>
      </div>
      <div class="filters">
        <div class="field">
          <label class="field__label" for="delivery-status-filter">
            {t('deliveries.status')}
          </label>
          <select
            id="delivery-status-filter"
            class="select"
            data-testid="delivery-status-filter"
            value={status}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setStatus(isDeliveryStatus(value) ? value : '');
            }}
          >
            <option value="">{t('deliveries.allStatuses')}</option>
            {DELIVERY_STATUSES.map((value) => (
              <option key={value} value={value}>
                {t(`status.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label class="field__label" for="delivery-type-filter">
            {t('deliveries.eventType')}
          </label>
          <select
            id="delivery-type-filter"
            class="select"
            data-testid="delivery-type-filter"
            value={eventType}
            onChange={(event) => setEventType(event.currentTarget.value)}
          >
            <option value="">{t('deliveries.allTypes')}</option>
            {eventTypes.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
        </div>
      </div>

      {deliveries.error !== null && (
        <ProblemCallout problem={describeError(deliveries.error, i18n)} />
      )}
      {deliveries.loaded && deliveries.items.length === 0 && (
        <p class="empty">{t('deliveries.empty')}</p>
      )}
      {!deliveries.loaded && deliveries.loading && <p class="muted">{t('app.loading')}</p>}

      {deliveries.items.length > 0 && (
        <ul class="list list--bordered" aria-busy={deliveries.loading}>
          {deliveries.items.map((delivery) => (
            <li
              key={delivery.id}
              class="delivery-row"
              data-testid="delivery-row"
              data-delivery-id={delivery.id}
              data-status={delivery.status}
            >
              <DeliveryStatusBadge status={delivery.status} />
              <span class="mono delivery-row__type break">{delivery.eventType}</span>
              <time class="muted small" dateTime={delivery.createdAt}>
                {dateTime(delivery.createdAt)}
              </time>
              <span class="muted small">
                {t('deliveries.attempts', { count: delivery.attemptCount })}
                {delivery.lastStatusCode !== null &&
                  ` · ${t('deliveries.lastCode', { code: String(delivery.lastStatusCode) })}`}
              </span>
              <button
                type="button"
                class="button button--ghost button--small delivery-row__open"
                aria-label={t('deliveries.openLabel', {
                  type: delivery.eventType,
                  time: dateTime(delivery.createdAt),
                })}
                onClick={() => setOpened(delivery)}
              >
                {t('deliveries.open')}
              </button>
            </li>
          ))}
        </ul>
      )}

      {deliveries.hasMore && (
        <button
          type="button"
          class="button button--secondary load-more"
          data-testid="load-more"
          disabled={deliveries.loading}
          onClick={deliveries.loadMore}
        >
          {t('deliveries.loadMore')}
        </button>
      )}

      {open && (
        <DeliveryDetailDialog
          listId={listId}
          delivery={open}
          onRedelivered={deliveries.reload}
          onClose={() => setOpened(null)}
        />
      )}
    </section>
  );
}
