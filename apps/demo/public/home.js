// @ts-check
/**
 * The dashboard. Lists and contacts come from the demo's management routes, the inbox from its
 * event stream, and each trigger button calls the route where its event really happens, as the
 * curl lines of docs/demo.md do. What the server sends is only ever set as text, never as HTML.
 */

/** @typedef {'contact' | 'admin' | 'api' | 'system'} Source */
/** @typedef {{ id: number, name: string }} List */
/**
 * @typedef {object} Contact
 * @property {number} id
 * @property {string} email
 * @property {string | null} firstName
 * @property {string | null} lastName
 * @property {string} status
 * @property {string} token
 * @property {string} createdAt
 */
/** @typedef {{ id: number, subject: string, status: string }} Campaign */
/**
 * @typedef {object} RecipientLinks
 * @property {string} open
 * @property {Array<{ url: string, tracked: string }>} clicks
 * @property {string} forward
 * @property {string} share
 */
/** @typedef {{ email: string, links: RecipientLinks }} Recipient */
/**
 * @typedef {object} CallOptions
 * @property {string} [method]
 * @property {unknown} [json] sent as JSON
 * @property {Record<string, string>} [form] sent form-encoded, as an HTML form would
 * @property {boolean} [asApi] send `x-api-key`: an API client rather than the admin UI
 * @property {RequestRedirect} [redirect]
 */
/** @typedef {'json' | 'form' | 'xml' | 'slack'} Format */
/**
 * @typedef {object} Integration
 * @property {string} provider
 * @property {string} type
 * @property {string} name
 * @property {string} does
 * @property {string} path
 * @property {Array<{ id: string, status: string, receivedAt: string, outcome: string | null }>} events
 */
/**
 * @typedef {object} InboxEntry
 * @property {number} id
 * @property {string | null} webhookId
 * @property {boolean} verified
 * @property {string} path where it arrived: /inbox, /inbox/slack, /inbox/xml, /inbox/all-lists
 * @property {Format} format
 * @property {string | null} subscription the name of the one that signed it
 * @property {string | null} type
 * @property {string | null} source
 * @property {string | null} listId
 * @property {unknown} data
 * @property {string} [text] a chat message's text
 * @property {string} [xml] the XML as it arrived
 * @property {string} receivedAt
 * @property {string} [error]
 */

/** As many as the inbox keeps. */
const KEPT_ENTRIES = 100;

/** @type {Record<Format, string>} */
const FORMATS = { json: 'JSON', form: 'Form', xml: 'XML', slack: 'Slack' };

const PEOPLE = [
  ['Ada', 'Lovelace', 'London'],
  ['Grace', 'Hopper', 'Arlington'],
  ['Alan', 'Turing', 'Manchester'],
  ['Katherine', 'Johnson', 'Hampton'],
  ['Margaret', 'Hamilton', 'Boston'],
  ['Edsger', 'Dijkstra', 'Austin'],
  ['Barbara', 'Liskov', 'Cambridge'],
  ['Frances', 'Allen', 'Peru'],
];

const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const main = element('main', HTMLElement);
const listsView = element('lists', HTMLUListElement);
const newListForm = element('new-list', HTMLFormElement);
const newListName = element('new-list-name', HTMLInputElement);
const contactsView = element('contacts', HTMLTableSectionElement);
const contactsListName = element('contacts-list-name', HTMLElement);
const contactsEmpty = element('contacts-empty', HTMLElement);
const status = element('trigger-status', HTMLElement);
const connection = element('inbox-connection', HTMLElement);
const entriesView = element('inbox-entries', HTMLOListElement);
const inboxEmpty = element('inbox-empty', HTMLElement);

const apiKey = main.dataset.apiKey ?? '';
/** The list that the contacts and the buttons are about: the seeded one until another is picked. */
let listId = Number(main.dataset.listId);
/** @type {List[]} */
let lists = [];
/** @type {Contact[]} Oldest first, as the route answers. */
let contacts = [];

/** Something the person can fix, said as it is. */
class ActionError extends Error {}

/** @type {Record<string, (source: Source) => Promise<string>>} */
const ACTIONS = {
  'contact.subscribed': subscribe,
  'contact.updated': update,
  'contact.unsubscribed': unsubscribe,
  'campaign.sent': sendCampaign,
  'campaign.opened': () => track('open'),
  'campaign.clicked': () => track('click'),
  'campaign.forwarded': () => track('forward'),
  'campaign.shared': () => track('share'),
  'campaign.bounced': reportBounce,
};

/** @param {Source} source */
async function subscribe(source) {
  const [firstName, lastName, city] = PEOPLE[Math.floor(Math.random() * PEOPLE.length)];
  // A new address each time: the form leaves an address already subscribed alone, with no event.
  const tag = Math.random().toString(36).slice(2, 7);
  const email = `${firstName}.${lastName}+${tag}@example.com`.toLowerCase();
  if (source === 'contact') {
    await call(`/public/lists/${listId}/subscribe`, {
      method: 'POST',
      form: { email, firstName, 'fields[city]': city },
    });
  } else {
    await call(`/lists/${listId}/contacts`, {
      method: 'POST',
      json: { email, firstName, lastName, fields: { city } },
      asApi: source === 'api',
    });
  }
  return `${email} subscribed`;
}

/** @param {Source} source */
async function update(source) {
  const contact = newest(contacts, 'No contact on this list yet: subscribe one first.');
  // A value never sent before, so that something changes and the event goes out.
  const fields = { lastEditedAt: new Date().toISOString() };
  if (source === 'contact') {
    await call(`/public/profile/${contact.token}`, { method: 'POST', json: { fields } });
  } else {
    await call(`/contacts/${contact.id}`, {
      method: 'PATCH',
      json: { fields },
      asApi: source === 'api',
    });
  }
  return `${contact.email} updated`;
}

/** @param {Source} source */
async function unsubscribe(source) {
  const contact = newest(subscribed(), 'No subscribed contact on this list: subscribe one first.');
  if (source === 'contact') {
    await call(`/public/unsubscribe/${contact.token}`);
  } else {
    await call(`/contacts/${contact.id}/unsubscribe`, {
      method: 'POST',
      asApi: source === 'api',
    });
  }
  return `${contact.email} unsubscribed`;
}

async function sendCampaign() {
  const created = await call(`/lists/${listId}/campaigns`, {
    method: 'POST',
    json: {
      subject: `Spring sale, ${time.format(new Date())}`,
      body: 'Everything is 20% off this week: https://shop.example.com/spring',
    },
  });
  const campaign = /** @type {Campaign} */ (await readJson(created));
  await call(`/campaigns/${campaign.id}/send`, { method: 'POST' });
  const count = subscribed().length;
  const recipients = `${count} subscribed contact${count === 1 ? '' : 's'}`;
  return `"${campaign.subject}" queued for ${recipients}; the sender emits the event`;
}

async function reportBounce() {
  const contact = newest(
    subscribed().length > 0 ? subscribed() : contacts,
    'No contact on this list yet: subscribe one first.',
  );
  const sent = (await campaigns()).filter((campaign) => campaign.status === 'sent');
  const campaign = sent[sent.length - 1];
  await call('/bounces', {
    method: 'POST',
    json: {
      email: contact.email,
      listId,
      reason: '550 5.1.1 mailbox unavailable',
      ...(campaign !== undefined && { campaignId: campaign.id }),
    },
  });
  return `bounce of ${contact.email} queued; bounce processing emits the event`;
}

/**
 * Follows one link of the newest recipient of the newest campaign that reached someone, as the
 * recipient's mail client or browser would.
 * @param {'open' | 'click' | 'forward' | 'share'} kind
 */
async function track(kind) {
  const { campaign, recipient } = await latestRecipient();
  const { links } = recipient;
  if (kind === 'click') {
    const [link] = links.clicks;
    if (link === undefined) throw new ActionError(`"${campaign.subject}" has no link to click.`);
    // The answer redirects to the shop, another site: the click is recorded, no need to go there.
    await call(pathOf(link.tracked), { redirect: 'manual' });
  } else {
    await call(pathOf(links[kind]));
  }
  return `${recipient.email}, ${kind} of "${campaign.subject}"`;
}

async function latestRecipient() {
  const sent = (await campaigns()).filter((campaign) => campaign.status === 'sent').reverse();
  for (const campaign of sent) {
    const answer = await call(`/campaigns/${campaign.id}/recipients`);
    const recipients = /** @type {Recipient[]} */ (await readJson(answer));
    const recipient = recipients[recipients.length - 1];
    if (recipient !== undefined) return { campaign, recipient };
  }
  throw new ActionError(
    'No campaign of this list has reached anyone yet: subscribe a contact, then send a campaign.',
  );
}

async function campaigns() {
  const answer = await call(`/lists/${listId}/campaigns`);
  return /** @type {Campaign[]} */ (await readJson(answer));
}

function subscribed() {
  return contacts.filter((contact) => contact.status === 'subscribed');
}

/**
 * @param {Contact[]} candidates
 * @param {string} missing what to do first when there is none
 */
function newest(candidates, missing) {
  const contact = candidates[candidates.length - 1];
  if (contact === undefined) throw new ActionError(missing);
  return contact;
}

/**
 * Links in campaigns are absolute (DEMO_PUBLIC_URL): the page calls their route on its own origin.
 * @param {string} url
 */
function pathOf(url) {
  const parsed = new URL(url, window.location.href);
  return parsed.pathname + parsed.search;
}

/**
 * Calls a route of the demo. Any answer but a success (or a redirect, left unfollowed) throws.
 * @param {string} path
 * @param {CallOptions} [options]
 */
async function call(path, { method = 'GET', json, form, asApi = false, redirect = 'follow' } = {}) {
  const headers = new Headers();
  /** @type {BodyInit | undefined} */
  let body;
  if (json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = new URLSearchParams(form);
  }
  if (asApi) headers.set('x-api-key', apiKey);
  const response = await fetch(path, { method, headers, body, redirect });
  if (response.ok || response.type === 'opaqueredirect') return response;
  throw new ActionError(`${response.status} ${await messageOf(response)}`);
}

/**
 * @param {Response} response
 * @returns {Promise<unknown>}
 */
async function readJson(response) {
  /** @type {unknown} */
  const body = await response.json();
  return body;
}

/** @param {Response} response */
async function messageOf(response) {
  try {
    const body = /** @type {{ message?: unknown }} */ (await readJson(response));
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    return typeof message === 'string' ? message : response.statusText;
  } catch {
    return response.statusText;
  }
}

/** @param {HTMLButtonElement} button */
async function runTrigger(button) {
  if (button.getAttribute('aria-busy') === 'true') return;
  const event = button.dataset.event ?? '';
  const source = /** @type {Source} */ (button.dataset.source);
  const action = Object.hasOwn(ACTIONS, event) ? ACTIONS[event] : undefined;
  if (action === undefined) {
    say(`The page has no action for ${event}.`, 'error');
    return;
  }
  button.setAttribute('aria-busy', 'true');
  say(`${event} from ${source}…`, 'pending');
  try {
    say(`${event} from ${source}: ${await action(source)}.`, 'ok');
  } catch (error) {
    say(`${event} from ${source} did not happen: ${messageOfError(error)}`, 'error');
  } finally {
    button.removeAttribute('aria-busy');
  }
  await refreshContacts();
}

async function createList() {
  const name = newListName.value.trim();
  if (name === '') return;
  try {
    const created = await call('/lists', { method: 'POST', json: { name } });
    const list = /** @type {List} */ (await readJson(created));
    newListName.value = '';
    listId = list.id;
    await refreshLists();
    await refreshContacts();
    say(
      `List "${list.name}" created: its sign-ups reach the inbox through the all-lists endpoint; give it its own in Settings → Webhooks.`,
      'ok',
    );
  } catch (error) {
    say(`The list was not created: ${messageOfError(error)}`, 'error');
  }
}

async function refreshLists() {
  lists = /** @type {List[]} */ (await readJson(await call('/lists')));
  const [first] = lists;
  if (first !== undefined && !lists.some((list) => list.id === listId)) listId = first.id;
  renderLists();
}

function renderLists() {
  listsView.replaceChildren(
    ...lists.map((list) => {
      const button = create(
        'button',
        {
          type: 'button',
          class: 'list-button',
          'aria-pressed': String(list.id === listId),
        },
        [
          create('span', { class: 'list-name' }, [list.name]),
          create('span', { class: 'muted' }, [`#${list.id}`]),
        ],
      );
      button.addEventListener('click', () => {
        listId = list.id;
        renderLists();
        void refreshContacts();
      });
      return create('li', {}, [button]);
    }),
  );
  listsView.removeAttribute('aria-busy');
  const current = lists.find((list) => list.id === listId);
  contactsListName.textContent = current === undefined ? '' : `of ${current.name}`;
}

async function refreshContacts() {
  const shown = listId;
  try {
    const answer = await call(`/lists/${shown}/contacts`);
    const loaded = /** @type {Contact[]} */ (await readJson(answer));
    // Another list was picked meanwhile: its own refresh shows it.
    if (shown !== listId) return;
    contacts = loaded;
  } catch (error) {
    say(`The contacts could not be loaded: ${messageOfError(error)}`, 'error');
    return;
  }
  contactsView.replaceChildren(
    ...[...contacts]
      .reverse()
      .map((contact) =>
        create('tr', {}, [
          create('td', {}, [contact.email]),
          create('td', {}, [
            [contact.firstName, contact.lastName].filter(Boolean).join(' ') || '—',
          ]),
          create('td', {}, [
            create('span', { class: 'badge', 'data-status': contact.status }, [contact.status]),
          ]),
          create('td', {}, [
            create('time', { datetime: contact.createdAt }, [
              dateTime.format(new Date(contact.createdAt)),
            ]),
          ]),
        ]),
      ),
  );
  contactsEmpty.hidden = contacts.length > 0;
}

/** The inbound endpoints (GET /integrations) and their latest events, with what the demo did. */
async function refreshIntegrations() {
  const view = element('integrations', HTMLUListElement);
  let integrations;
  try {
    integrations = /** @type {Integration[]} */ (await readJson(await call('/integrations')));
  } catch (error) {
    say(`The inbound endpoints could not be loaded: ${messageOfError(error)}`, 'error');
    return;
  }
  view.replaceChildren(
    ...integrations.map((integration) =>
      create('li', {}, [
        create('strong', {}, [integration.name]),
        ' ',
        create('code', {}, [integration.type]),
        create('p', { class: 'hint' }, [
          integration.does,
          ': ',
          create('code', {}, [integration.path]),
        ]),
        integration.events.length === 0
          ? create('p', { class: 'empty' }, ['Nothing received yet.'])
          : create(
              'ol',
              { class: 'integration-events' },
              integration.events
                .slice(0, 3)
                .map((event) =>
                  create('li', {}, [
                    create('time', { datetime: event.receivedAt }, [
                      dateTime.format(new Date(event.receivedAt)),
                    ]),
                    ` ${event.status}${event.outcome === null ? '' : `: ${event.outcome}`}`,
                  ]),
                ),
            ),
      ]),
    ),
  );
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let pendingRefresh;

/** Deliveries arrive in bursts; one refresh after the burst shows what they changed. */
function refreshContactsSoon() {
  clearTimeout(pendingRefresh);
  pendingRefresh = setTimeout(() => {
    void refreshContacts();
    void refreshIntegrations();
  }, 300);
}

function connectInbox() {
  // An EventSource reconnects by itself, sending the id of the last entry it got.
  const stream = new EventSource('/inbox/stream');
  stream.addEventListener('open', () => showConnection('live', 'Live'));
  stream.addEventListener('error', () => {
    if (stream.readyState === EventSource.CLOSED) {
      showConnection('closed', 'Disconnected: reload the page');
    } else {
      showConnection('connecting', 'Reconnecting…');
    }
  });
  stream.addEventListener('message', (message) => {
    /** @type {unknown} */
    const parsed = JSON.parse(String(message.data));
    const entry = /** @type {InboxEntry} */ (parsed);
    entriesView.prepend(entryView(entry));
    while (entriesView.children.length > KEPT_ENTRIES) entriesView.lastElementChild?.remove();
    inboxEmpty.hidden = true;
    refreshContactsSoon();
  });
}

/**
 * @param {string} state
 * @param {string} text
 */
function showConnection(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
}

/** @param {InboxEntry} entry */
function entryView(entry) {
  const signature = entry.verified
    ? create('span', { class: 'badge', 'data-tone': 'ok' }, ['✓ Signature verified'])
    : create('span', { class: 'badge', 'data-tone': 'error' }, ['✗ Signature not verified']);
  const format = FORMATS[entry.format] ?? entry.format;
  /** @type {Node[]} */
  const children = [
    create('div', { class: 'entry-header' }, [
      create('code', { class: 'entry-type' }, [
        entry.type ?? (entry.format === 'slack' ? 'Slack message' : 'no type'),
      ]),
      create('time', { class: 'muted', datetime: entry.receivedAt }, [
        time.format(new Date(entry.receivedAt)),
      ]),
    ]),
    create('div', { class: 'entry-badges' }, [
      create('span', { class: 'badge', 'data-format': entry.format }, [format]),
      ...(entry.source === null
        ? []
        : [create('span', { class: 'source', 'data-source': entry.source }, [entry.source])]),
      signature,
    ]),
  ];
  // What a person reads in the channel: Slack shows its three escapes as the characters.
  if (entry.text !== undefined)
    children.push(create('blockquote', { class: 'entry-message' }, [slackText(entry.text)]));
  const about = summaryOf(entry.data);
  if (about !== '') children.push(create('p', { class: 'entry-about' }, [about]));
  if (entry.error !== undefined)
    children.push(create('p', { class: 'entry-error' }, [entry.error]));
  children.push(
    create('p', { class: 'entry-meta muted' }, [
      [
        entry.subscription ?? 'no subscription signed it',
        `POST ${entry.path}`,
        `webhook-id ${entry.webhookId ?? 'missing'}`,
        `list ${entry.listId ?? 'unknown'}`,
      ].join(' · '),
    ]),
  );
  if (entry.xml !== undefined) {
    children.push(
      create('details', {}, [
        create('summary', {}, ['XML as received']),
        create('pre', {}, [entry.xml]),
      ]),
    );
  }
  children.push(
    create('details', {}, [
      create('summary', {}, [entry.format === 'xml' ? 'Payload, read from the XML' : 'Payload']),
      create('pre', {}, [JSON.stringify(entry.data, null, 2)]),
    ]),
  );
  return create(
    'li',
    {
      class: 'entry',
      'data-testid': 'inbox-entry',
      'data-event': entry.type ?? '',
      'data-format': entry.format,
      'data-verified': String(entry.verified),
    },
    children,
  );
}

/** @param {string} text */
function slackText(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Who and what the event is about, in one line.
 * @param {unknown} data
 */
function summaryOf(data) {
  const email = field(field(data, 'contact'), 'email');
  const subject = field(field(data, 'campaign'), 'subject');
  const url = field(data, 'url');
  return [email, typeof subject === 'string' ? `"${subject}"` : undefined, url]
    .filter((part) => typeof part === 'string')
    .join(' · ');
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {unknown}
 */
function field(value, name) {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, name)
    ? /** @type {Record<string, unknown>} */ (value)[name]
    : undefined;
}

/**
 * @param {string} text
 * @param {'pending' | 'ok' | 'error'} tone
 */
function say(text, tone) {
  status.dataset.tone = tone;
  status.textContent = text;
}

/** @param {unknown} error */
function messageOfError(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An element with attributes and children; strings become text nodes, never markup.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string>} attributes
 * @param {Array<Node | string>} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function create(tag, attributes, children) {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  created.append(...children);
  return created;
}

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} type
 * @returns {T}
 */
function element(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no #${id}`);
  return found;
}

document.addEventListener('click', (event) => {
  const button =
    event.target instanceof Element ? event.target.closest('button[data-testid="trigger"]') : null;
  if (button instanceof HTMLButtonElement) void runTrigger(button);
});

newListForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void createList();
});

connectInbox();
void (async () => {
  try {
    await refreshLists();
  } catch (error) {
    say(`The lists could not be loaded: ${messageOfError(error)}`, 'error');
  }
  await refreshContacts();
  await refreshIntegrations();
})();

export {};
