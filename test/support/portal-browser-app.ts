import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { App } from 'supertest/types';
import {
  WebhooksPortal,
  type CreatePortalSessionInput,
  type EmitWebhookEvent,
} from 'nestjs-marketing-webhooks';
import { launchChromium } from './browser';
import { BrowserPages, type OpenedPage } from './portal-browser';
import { createWebhooksApp, type WebhooksTestApp } from './webhooks-app';

export const PORTAL_KEY = { id: 'k1', secret: 'portal-browser-key-0123456789abcdef01234567' };
export const TENANT = 'acme';
export const ACME_LISTS = [
  { id: '1', name: 'Newsletter' },
  { id: '2', name: 'Customers' },
  { id: '3', name: 'Product updates' },
];
/** Markup that would run if the page ever rendered text as HTML. */
export const PWN = '<img src=x onerror="window.__pwned=1">';

export interface PortalBrowserApp {
  browser: Browser;
  hooks: WebhooksTestApp;
  http: App;
  portal: WebhooksPortal;
  /** Where the app listens, e.g. `http://127.0.0.1:41234`. */
  origin: string;
}

/**
 * The portal browser suites' set-up, registered in the calling describe: Debian's Chromium and a real
 * Nest app on PostgreSQL and Redis listening on loopback, with the portal's key and the tenant's
 * lists; pages opened by a test are closed after it.
 */
export function portalBrowserApp() {
  let current: PortalBrowserApp | undefined;
  const app = (): PortalBrowserApp => {
    if (!current) throw new Error('the portal app is not started (use it inside a test)');
    return current;
  };
  const pages = new BrowserPages(() => app().browser);

  beforeAll(async () => {
    const [browser, hooks] = await Promise.all([
      launchChromium(),
      createWebhooksApp({
        database: 'postgres',
        namePrefix: 'portal_browser',
        options: {
          admin: { resolveTenant: (req) => String(req.headers['x-tenant'] ?? TENANT) },
          // One retry: a failing delivery is exhausted in about 100 ms.
          retries: { schedule: [100] },
          portal: {
            signingKeys: [PORTAL_KEY],
            resolveLists: (tenantId) => (tenantId === TENANT ? ACME_LISTS : []),
          },
        },
      }),
    ]);
    await hooks.app.listen(0, '127.0.0.1');
    const http = hooks.app.getHttpServer() as App;
    const { port } = (hooks.app.getHttpServer() as { address(): AddressInfo }).address();
    current = {
      browser,
      hooks,
      http,
      portal: hooks.app.get(WebhooksPortal),
      origin: `http://127.0.0.1:${port}`,
    };
  }, 60_000);
  afterEach(() => pages.closeAll());
  afterAll(async () => {
    await current?.browser.close();
    await current?.hooks.close();
  });

  return {
    get current(): PortalBrowserApp {
      return app();
    },
    pages,
    /** Requests as the host's own back office makes them (no portal token: resolveTenant decides). */
    staff: (tenant = TENANT) => ({ 'x-tenant': tenant }),
    link: (input: Partial<CreatePortalSessionInput> = {}, now?: Date) =>
      `${app().origin}${app().portal.createSession({ tenantId: TENANT, ...input }, now).url}`,
    emit: (listId: string, event: Partial<EmitWebhookEvent> = {}) =>
      app().hooks.webhooks.emit({
        type: 'contact.subscribed',
        tenantId: TENANT,
        listId,
        source: 'api',
        data: { contact: { email: 'ada@example.com' } },
        ...event,
      }),
    /** Opens a link and waits for the portal (or the session error) to be on screen. */
    openPortal: async (url: string, options = {}): Promise<OpenedPage> => {
      const opened = await pages.open(url, options);
      await opened.page
        .locator('main.portal__main, [data-testid="session-error"]')
        .first()
        .waitFor();
      return opened;
    },
  };
}
