import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, ConsoleMessage, Frame } from 'playwright-core';
import { WebhooksPortal, DEFAULT_TENANT_ID } from 'nestjs-marketing-webhooks';
import { SEED_LIST_NAME, SEED_SUBSCRIPTION_NAME } from '../apps/demo/src/seed/seed.service';
import { en } from '../libs/webhooks/portal-ui/src/i18n/en';
import { launchChromium, screenshot, seriousAccessibilityViolations } from './support/browser';
import { DemoHarness } from './support/demo-harness';
import { BrowserPages, textOf } from './support/portal-browser';

const PORTAL_KEY = 'demo-browser-portal-key-0123456789abcdef';

/** A page of another origin (another port) that frames whatever `src` it is given. */
async function startFramingSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/own') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<p id="own">framed fine</p>');
      return;
    }
    const src = url.searchParams.get('src') ?? '';
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><title>Another site</title>` +
          `<iframe id="own-frame" src="/own"></iframe>` +
          `<iframe id="portal-frame" src="${src.replace(/"/g, '&quot;')}"></iframe>`,
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The demo app in Chromium: its home page, and Settings → Webhooks framing the portal. */
describe('the demo in Chromium (SQLite in memory, real Redis)', () => {
  let browser: Browser;
  let demo: DemoHarness;
  let origin: string;
  const pages = new BrowserPages(() => browser);

  beforeAll(async () => {
    [browser, demo] = await Promise.all([
      launchChromium(),
      DemoHarness.start({ DEMO_PORTAL_KEY: PORTAL_KEY }),
    ]);
    origin = `http://127.0.0.1:${demo.port}`;
  }, 60_000);
  afterEach(() => pages.closeAll());
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it('home page: the lists, a trigger delivered to the live inbox, and no serious accessibility violation', async () => {
    const { page, problems } = await pages.open(`${origin}/`);
    await page.locator('#inbox-connection[data-state="live"]').waitFor();
    await page.locator('#lists .list-name', { hasText: SEED_LIST_NAME }).waitFor();
    await page
      .locator('[data-testid="trigger"][data-event="contact.subscribed"][data-source="api"]')
      .click();
    const entry = page.locator('[data-testid="inbox-entry"][data-format="json"]').first();
    await entry.waitFor();
    expect(await textOf(entry)).toContain('contact.subscribed');
    expect(await textOf(entry)).toContain('Signature verified');
    // The same sign-up as a Slack message, its text shown as the message, and as XML, marked so.
    const slack = page.locator('[data-testid="inbox-entry"][data-format="slack"]').first();
    await slack.waitFor();
    expect(await textOf(slack.locator('.entry-message'))).toMatch(
      /^\S+ \S+ subscribed to Newsletter \(source: the API\)$/,
    );
    expect(await textOf(slack)).toContain('Signature verified');
    const xml = page.locator('[data-testid="inbox-entry"][data-format="xml"]').first();
    await xml.waitFor();
    expect(await textOf(xml.locator('.badge[data-format="xml"]'))).toBe('XML');
    expect(await textOf(xml)).toContain('Signature verified');
    // The inbound endpoints, each with its receiving path (test/demo-inbound.e2e-spec.ts sends to them).
    const integrations = page.locator('[data-testid="home-integrations"] #integrations > li');
    await integrations.nth(2).waitFor();
    expect(await textOf(integrations.first())).toMatch(
      /^Stripe: new customers customer\.created.*\/webhooks\/in\/[\w-]{32}/,
    );
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'demo-home');
    expect(problems).toEqual([]);
    expect(demo.serverErrors).toEqual([]);
  });

  it('Settings → Webhooks frames the portal, which works: the seeded list and its endpoint', async () => {
    const { page, problems } = await pages.open(`${origin}/settings/webhooks`);
    const frame = page.frameLocator('[data-testid="portal-frame"]');
    await frame.getByTestId('endpoint-row').first().waitFor();
    expect(await frame.getByTestId('list-picker').locator('option').allTextContents()).toContain(
      SEED_LIST_NAME,
    );
    expect(await textOf(frame.getByTestId('endpoint-list'))).toContain(SEED_SUBSCRIPTION_NAME);
    // The framed page is usable: open the endpoint and come back.
    await frame.getByRole('button', { name: SEED_SUBSCRIPTION_NAME }).click();
    await frame.getByTestId('endpoint-detail').waitFor();
    await frame.getByRole('button', { name: en['detail.back'] }).click();
    await frame.getByTestId('endpoint-list').waitFor();
    expect(problems).toEqual([]);
  });

  it('cannot be framed by another origin: Chromium refuses to load the portal there', async () => {
    const site = await startFramingSite();
    try {
      const { url } = demo.app.get(WebhooksPortal).createSession({ tenantId: DEFAULT_TENANT_ID });
      const refusals: string[] = [];
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const onConsole = (message: ConsoleMessage) => {
        if (message.text().includes('frame-ancestors')) refusals.push(message.text());
      };
      page.on('console', onConsole);
      const refused = page.waitForEvent('console', {
        predicate: (message) => message.text().includes('frame-ancestors'),
        timeout: 10_000,
      });
      await page.goto(`${site.origin}/?src=${encodeURIComponent(`${origin}${url}`)}`);
      await refused;

      // The same page frames its own content without trouble: the refusal is the portal's doing.
      const own = page.frameLocator('#own-frame');
      expect(await own.locator('#own').textContent()).toBe('framed fine');
      const portalFrame = (await (
        await page.locator('#portal-frame').elementHandle()
      )?.contentFrame()) as Frame;
      expect(portalFrame).toBeTruthy();
      expect(portalFrame.url()).not.toContain('/webhooks/portal');
      expect(await portalFrame.locator('#webhooks-portal').count()).toBe(0);
      expect(refusals.join('\n')).toContain("frame-ancestors 'self'");
      await context.close();
    } finally {
      await new Promise((resolve) => site.server.close(resolve));
    }
  });
});
