import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.client';
import { PAYLOAD_FORMATS, type Subscription } from './api.types';
import {
  checkDraft,
  draftOf,
  fieldsNamedIn,
  headerRow,
  MAX_HEADERS,
  toChanges,
  toCreateInput,
  type DraftField,
  type EndpointDraft,
} from './endpoint-form.model';
import { describeError, type Problem } from './errors';
import { ProblemCallout } from './problem.component';
import { useI18n, type MessageKey } from './i18n/i18n';
import { useFocusOnArrival, usePortal } from './portal.context';
import { sourceLabel } from './labels';

interface EndpointFormProps {
  listId: string;
  /** The endpoint to edit; none to add one. */
  subscription?: Subscription;
  /** With the saved endpoint, or nothing when the visitor cancelled. */
  onDone: (saved: Subscription | null) => void;
}

export function EndpointFormView({ listId, subscription, onDone }: EndpointFormProps) {
  const { api, catalogue, notify } = usePortal();
  const i18n = useI18n();
  const { t } = i18n;
  const [draft, setDraft] = useState<EndpointDraft>(() => draftOf(subscription, catalogue.sources));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [invalid, setInvalid] = useState<Set<DraftField>>(new Set());
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const errors = useRef<HTMLDivElement>(null);
  useFocusOnArrival(heading);

  useEffect(() => {
    if (problem) errors.current?.focus();
  }, [problem]);

  const update = (change: Partial<EndpointDraft>) =>
    setDraft((current) => ({ ...current, ...change }));
  const toggle = (list: string[], item: string, on: boolean) =>
    on ? [...list.filter((value) => value !== item), item] : list.filter((value) => value !== item);

  const eventTypes = [
    ...catalogue.eventTypes,
    ...draft.events
      .filter((type) => !catalogue.eventTypes.some((known) => known.type === type))
      .map((type) => ({ type, description: '' })),
  ];

  const fail = (next: Problem, fields: Set<DraftField>) => {
    setProblem(next);
    setInvalid(fields);
  };

  const submit = async () => {
    if (busy) return;
    const found = checkDraft(draft, i18n);
    if (found.length > 0) {
      fail(
        { summary: t('form.errorsTitle'), details: found.map((item) => item.message) },
        new Set(found.map((item) => item.field)),
      );
      return;
    }
    setBusy(true);
    try {
      if (!subscription) {
        const created = await api.createSubscription(listId, toCreateInput(draft));
        notify(t('detail.saved'));
        onDone(created);
        return;
      }
      const changes = toChanges(draft, subscription);
      if (Object.keys(changes).length === 0) {
        notify(t('form.noChanges'), 'info');
        onDone(subscription);
        return;
      }
      const saved = await api.updateSubscription(listId, subscription.id, changes);
      notify(t('detail.saved'));
      onDone(saved);
    } catch (error) {
      if (error instanceof ApiError && error.isSessionError) return;
      const described = describeError(error, i18n);
      const refused = error instanceof ApiError && error.status === 400;
      fail(
        refused ? { summary: t('form.errorsTitle'), details: described.details } : described,
        fieldsNamedIn(described.details),
      );
    } finally {
      setBusy(false);
    }
  };

  const invalidAttr = (field: DraftField) => (invalid.has(field) ? true : undefined);
  const groupClass = (field: DraftField) =>
    `fieldset${invalid.has(field) ? ' fieldset--invalid' : ''}`;

  return (
    <section class="stack" aria-labelledby="endpoint-form-heading">
      <h2 id="endpoint-form-heading" class="section-title" tabIndex={-1} ref={heading}>
        {subscription ? t('form.editTitle') : t('form.addTitle')}
      </h2>
      <form
        class="card form"
        data-testid="endpoint-form"
        aria-labelledby="endpoint-form-heading"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {problem && <ProblemCallout problem={problem} testId="form-errors" focusRef={errors} />}

        <div class="field">
          <label class="field__label" for="endpoint-url">
            {t('form.url')}
          </label>
          <input
            id="endpoint-url"
            name="url"
            type="url"
            class="input mono"
            required
            aria-required="true"
            aria-invalid={invalidAttr('url')}
            aria-describedby="endpoint-url-hint"
            placeholder="https://"
            maxLength={2048}
            autocomplete="off"
            spellcheck={false}
            value={draft.url}
            onInput={(event) => update({ url: event.currentTarget.value })}
          />
          <p id="endpoint-url-hint" class="field__hint">
            {t('form.urlHint')}
          </p>
        </div>

        <div class="field">
          <label class="field__label" for="endpoint-name">
            {t('form.name')}
          </label>
          <input
            id="endpoint-name"
            name="name"
            type="text"
            class="input"
            maxLength={200}
            aria-invalid={invalidAttr('name')}
            aria-describedby="endpoint-name-hint"
            value={draft.name}
            onInput={(event) => update({ name: event.currentTarget.value })}
          />
          <p id="endpoint-name-hint" class="field__hint">
            {t('form.optional')}
          </p>
        </div>

        <div class="field">
          <label class="field__label" for="endpoint-description">
            {t('form.description')}
          </label>
          <textarea
            id="endpoint-description"
            name="description"
            class="input textarea"
            rows={2}
            maxLength={1000}
            aria-invalid={invalidAttr('description')}
            aria-describedby="endpoint-description-hint"
            value={draft.description}
            onInput={(event) => update({ description: event.currentTarget.value })}
          />
          <p id="endpoint-description-hint" class="field__hint">
            {t('form.optional')}
          </p>
        </div>

        <fieldset class={groupClass('events')} aria-describedby="endpoint-events-hint">
          <legend class="fieldset__legend">{t('form.events')}</legend>
          <div class="fieldset__bar">
            <p id="endpoint-events-hint" class="field__hint">
              {t('form.eventsHint')}
            </p>
            <div class="button-row">
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => update({ events: eventTypes.map((type) => type.type) })}
              >
                {t('form.selectAll')}
              </button>
              <button
                type="button"
                class="button button--ghost button--small"
                onClick={() => update({ events: [] })}
              >
                {t('form.selectNone')}
              </button>
            </div>
          </div>
          <ul class="checks checks--columns">
            {eventTypes.map((type, index) => (
              <li key={type.type} class="check">
                <input
                  id={`endpoint-event-${index}`}
                  type="checkbox"
                  class="check__input"
                  name="events"
                  value={type.type}
                  checked={draft.events.includes(type.type)}
                  aria-describedby={
                    type.description ? `endpoint-event-${index}-description` : undefined
                  }
                  onChange={(event) =>
                    update({ events: toggle(draft.events, type.type, event.currentTarget.checked) })
                  }
                />
                <span class="check__text">
                  <label for={`endpoint-event-${index}`} class="mono">
                    {type.type}
                  </label>
                  {type.description && (
                    <span id={`endpoint-event-${index}-description`} class="muted small">
                      {type.description}
                    </span>
                  )}
                </span>
              </li>
            ))}
          </ul>
        </fieldset>

        <fieldset class={groupClass('sources')} aria-describedby="endpoint-sources-hint">
          <legend class="fieldset__legend">{t('form.sources')}</legend>
          <p id="endpoint-sources-hint" class="field__hint">
            {t('form.sourcesHint')}
          </p>
          <ul class="checks checks--inline">
            {catalogue.sources.map((source) => (
              <li key={source} class="check">
                <input
                  id={`endpoint-source-${source}`}
                  type="checkbox"
                  class="check__input"
                  name="sources"
                  value={source}
                  checked={draft.sources.includes(source)}
                  onChange={(event) =>
                    update({ sources: toggle(draft.sources, source, event.currentTarget.checked) })
                  }
                />
                <label for={`endpoint-source-${source}`}>{sourceLabel(source, t)}</label>
              </li>
            ))}
          </ul>
        </fieldset>

        <fieldset class="fieldset">
          <legend class="fieldset__legend">{t('form.payloadFormat')}</legend>
          <ul class="checks checks--inline">
            {PAYLOAD_FORMATS.map((format) => (
              <li key={format} class="check">
                <input
                  id={`endpoint-format-${format}`}
                  type="radio"
                  class="check__input"
                  name="payloadFormat"
                  value={format}
                  checked={draft.payloadFormat === format}
                  onChange={() => update({ payloadFormat: format })}
                />
                <label for={`endpoint-format-${format}`}>
                  {t(`format.${format}` satisfies MessageKey)}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>

        <fieldset class={groupClass('headers')} aria-describedby="endpoint-headers-hint">
          <legend class="fieldset__legend">{t('form.headers')}</legend>
          <p id="endpoint-headers-hint" class="field__hint">
            {t('form.headersHint')}
          </p>
          {draft.headers.length > 0 && (
            <ul class="header-rows">
              {draft.headers.map((row, index) => {
                const n = index + 1;
                const change = (patch: { name?: string; value?: string }) =>
                  update({
                    headers: draft.headers.map((other) =>
                      other.key === row.key ? { ...other, ...patch } : other,
                    ),
                  });
                return (
                  <li key={row.key} class="header-row">
                    <input
                      type="text"
                      class="input mono"
                      aria-label={t('form.headerName', { n })}
                      placeholder="X-Header"
                      maxLength={64}
                      autocomplete="off"
                      spellcheck={false}
                      value={row.name}
                      onInput={(event) => change({ name: event.currentTarget.value })}
                    />
                    <input
                      type="text"
                      class="input mono"
                      aria-label={t('form.headerValue', { n })}
                      maxLength={1000}
                      autocomplete="off"
                      spellcheck={false}
                      value={row.value}
                      onInput={(event) => change({ value: event.currentTarget.value })}
                    />
                    <button
                      type="button"
                      class="button button--ghost button--icon"
                      aria-label={t('form.removeHeader', { n })}
                      onClick={() =>
                        update({ headers: draft.headers.filter((other) => other.key !== row.key) })
                      }
                    >
                      <span aria-hidden="true">×</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <button
            type="button"
            class="button button--secondary button--small"
            disabled={draft.headers.length >= MAX_HEADERS}
            onClick={() => update({ headers: [...draft.headers, headerRow()] })}
          >
            {t('form.addHeader')}
          </button>
        </fieldset>

        <div class="form-actions">
          <button
            type="submit"
            class="button button--primary"
            data-testid="save-endpoint"
            disabled={busy}
            aria-busy={busy}
          >
            {busy ? t('form.saving') : subscription ? t('form.save') : t('form.create')}
          </button>
          <button type="button" class="button button--secondary" onClick={() => onDone(null)}>
            {t('form.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
