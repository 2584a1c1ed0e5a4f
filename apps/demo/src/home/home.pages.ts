import {
  BUILT_IN_EVENT_TYPES,
  DEFAULT_TENANT_ID,
  type PortalSessionLink,
  WEBHOOK_TEST_EVENT,
} from 'nestjs-marketing-webhooks';
import { escapeHtml } from '../common/html';
import { INBOX_CHANNELS } from '../seed/inbox-channels';
import { TRIGGERS } from './home.triggers';

export const HOME_SCRIPT_PATH = '/assets/home.js';
export const HOME_STYLESHEET_PATH = '/assets/home.css';

type Section = 'dashboard' | 'settings';

interface Layout {
  title: string;
  current: Section;
  main: string;
  /** Attributes of <main>, already escaped. */
  mainAttributes?: string;
  script?: boolean;
}

const NAVIGATION: ReadonlyArray<{ section: Section; href: string; label: string }> = [
  { section: 'dashboard', href: '/', label: 'Dashboard' },
  { section: 'settings', href: '/settings/webhooks', label: 'Settings' },
];

/** The frame of every page: the app bar, the navigation, the stylesheet and maybe the script. */
function layout({ title, current, main, mainAttributes = '', script = false }: Layout): string {
  const links = NAVIGATION.map(
    ({ section, href, label }) =>
      `<li><a href="${href}"${section === current ? ' aria-current="page"' : ''}>${label}</a></li>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Mailroom</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${HOME_STYLESHEET_PATH}">
${script ? `<script type="module" src="${HOME_SCRIPT_PATH}"></script>\n` : ''}</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="topbar">
<div class="topbar-inner">
<a class="brand" href="/">Mailroom <span class="brand-tag">demo</span></a>
<nav aria-label="Main"><ul class="nav">${links}</ul></nav>
<span class="account">Account <strong>${escapeHtml(DEFAULT_TENANT_ID)}</strong></span>
</div>
</header>
<main id="main" class="page"${mainAttributes}>
${main}
</main>
</body>
</html>
`;
}

/**
 * The dashboard. Lists, contacts and the inbox are filled in by public/home.js (as text, from the
 * demo's routes); the page itself only carries what the script needs to call them.
 */
export function dashboardPage({ listId, apiKey }: { listId: number; apiKey: string }): string {
  return layout({
    title: 'Dashboard',
    current: 'dashboard',
    script: true,
    // The api buttons send the key: the demo has no login, and its routes without a key already
    // act as the admin, so whoever opens this page may use it.
    mainAttributes: ` data-list-id="${listId}" data-api-key="${escapeHtml(apiKey)}"`,
    main: `<div class="page-header">
<h1>Dashboard</h1>
<p class="lead">Everything below calls the demo's own routes. Each event it emits is delivered as a webhook to the
demo's inbox, which checks its signature.</p>
</div>
<div class="dashboard">
<section class="card lists-card" data-testid="home-lists" aria-labelledby="lists-heading">
<h2 id="lists-heading">Lists</h2>
<ul id="lists" class="lists" aria-busy="true"></ul>
<p class="hint">The seeded list's events go to the inbox as JSON, XML and Slack messages; every list's sign-ups and
sends, new lists included, through an all-lists endpoint. Add your own in <a href="/settings/webhooks">Settings → Webhooks</a>.</p>
<form id="new-list" class="inline-form">
<label for="new-list-name">New list</label>
<div class="inline-form-row">
<input id="new-list-name" name="name" required maxlength="200" autocomplete="off">
<button type="submit" class="button">Create</button>
</div>
</form>
</section>
<section class="card contacts-card" data-testid="home-contacts" aria-labelledby="contacts-heading">
<h2 id="contacts-heading">Contacts <span id="contacts-list-name" class="muted"></span></h2>
<div class="table-scroll">
<table class="contacts">
<caption class="visually-hidden">Contacts of the selected list, newest first</caption>
<thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Added</th></tr></thead>
<tbody id="contacts"></tbody>
</table>
</div>
<p id="contacts-empty" class="empty" hidden>No contacts on this list yet: try a contact.subscribed button.</p>
</section>
${triggersSection()}
<section class="card integrations-card" data-testid="home-integrations" aria-labelledby="integrations-heading">
<h2 id="integrations-heading">Inbound webhooks</h2>
<p class="hint">The seeded list's endpoints for Stripe, Typeform and Shopify, and what arrived lately (source
<strong>api</strong>: another application). <code>npm run demo:inbound -- stripe</code> sends a signed sample.</p>
<ul id="integrations" class="integrations"></ul>
</section>
<section class="card inbox-card" data-testid="inbox" aria-labelledby="inbox-heading">
<div class="card-header">
<h2 id="inbox-heading">Inbox</h2>
<span id="inbox-connection" class="connection" data-state="connecting">Connecting…</span>
</div>
<p class="hint">What ${inboxPaths()} received, newest first, live.</p>
<p id="inbox-empty" class="empty">Nothing yet: press a button.</p>
<ol id="inbox-entries" class="entries" aria-live="polite" aria-relevant="additions"></ol>
</section>
</div>`,
  });
}

function inboxPaths(): string {
  const paths = ['/inbox', ...INBOX_CHANNELS.map((channel) => `/inbox/${channel.path}`)];
  const codes = paths.map((path) => `<code>${escapeHtml(path)}</code>`);
  return `<code>POST</code> ${codes.slice(0, -1).join(', ')} and ${codes[codes.length - 1]}`;
}

function triggersSection(): string {
  const rows = BUILT_IN_EVENT_TYPES.filter(({ type }) => type !== WEBHOOK_TEST_EVENT).map(
    ({ type, description }) => {
      const buttons = TRIGGERS.filter((trigger) => trigger.event === type).map(
        ({ event, source, label, route }) =>
          `<button type="button" class="trigger" data-testid="trigger" data-event="${escapeHtml(event)}" data-source="${source}" title="${escapeHtml(route)}"><span class="source" data-source="${source}">${source}</span> ${escapeHtml(label)}<span class="visually-hidden"> (${escapeHtml(event)})</span></button>`,
      );
      return `<tr><th scope="row"><code>${escapeHtml(type)}</code><span class="description">${escapeHtml(description)}</span></th><td><div class="buttons">${buttons.join('')}</div></td></tr>`;
    },
  );
  return `<section class="card triggers-card" aria-labelledby="triggers-heading">
<h2 id="triggers-heading">Trigger events</h2>
<p class="hint">Each button calls the route where its event really happens, on the selected list (hover for the route).
The source says who acted: the <strong>contact</strong> themself, the <strong>admin</strong> UI, an <strong>api</strong>
client with <code>x-api-key</code>, or the <strong>system</strong> in a background job.</p>
<div class="table-scroll">
<table class="triggers">
<caption class="visually-hidden">Event types and the buttons that trigger them</caption>
<thead><tr><th scope="col">Event</th><th scope="col">Trigger it as</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</div>
<p id="trigger-status" class="status" role="status"></p>
</section>`;
}

/** Settings → Webhooks: the library's customer portal, framed, through a link made for this load. */
export function settingsPage(session: PortalSessionLink): string {
  const expiresAt = session.expiresAt.toISOString();
  return layout({
    title: 'Settings → Webhooks',
    current: 'settings',
    main: `<nav aria-label="Breadcrumb"><ol class="breadcrumb"><li>Settings</li><li aria-current="page">Webhooks</li></ol></nav>
<section class="card settings-card" data-testid="settings-webhooks" aria-labelledby="webhooks-heading">
<h1 id="webhooks-heading">Webhooks</h1>
<p class="hint">Send the events of your lists to your own systems: add endpoints, choose their events and sources,
send a test, follow every delivery. This is the library's customer portal, opened with a session made for your
account when this page loaded; reload the page after <time datetime="${expiresAt}">${expiresAt.slice(11, 16)} UTC</time>.</p>
<iframe class="portal-frame" data-testid="portal-frame" src="${escapeHtml(session.url)}" title="Webhooks portal" referrerpolicy="no-referrer"></iframe>
</section>`,
  });
}
