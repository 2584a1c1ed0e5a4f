import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  verifyWebhook,
  WebhooksPortal,
  type CreatePortalSessionInput,
  type EmitWebhookEvent,
} from 'nestjs-marketing-webhooks';
import { de } from '../libs/webhooks/portal-ui/src/i18n/de';
import { en } from '../libs/webhooks/portal-ui/src/i18n/en';
import { it as italian } from '../libs/webhooks/portal-ui/src/i18n/it';
import { launchChromium, screenshot, seriousAccessibilityViolations } from './support/browser';
import {
  BrowserPages,
  attributesOf,
  fill,
  inPage,
  refreshLogUntil,
  storedToken,
  textOf,
  type OpenedPage,
} from './support/portal-browser';
import { TestReceiver, type ReceivedRequest } from './support/receiver';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const KEY = { id: 'k1', secret: 'portal-browser-key-0123456789abcdef01234567' };
const TENANT = 'acme';
const ACME_LISTS = [
  { id: '1', name: 'Newsletter' },
  { id: '2', name: 'Customers' },
  { id: '3', name: 'Product updates' },
];
const PWN = '<img src=x onerror="window.__pwned=1">';

/**
 * The customer portal as a customer uses it, in Debian's Chromium: a real Nest app on PostgreSQL and
 * Redis listening on loopback, real receivers, links from WebhooksPortal.createSession (issue 19's
 * "Proof"). Everything is checked on what the page shows.
 */
describe('the portal page in Chromium (PostgreSQL, Redis, real receivers)', () => {
  let browser: Browser;
  let hooks: WebhooksTestApp;
  let http: App;
  let portal: WebhooksPortal;
  let origin: string;
  const pages = new BrowserPages(() => browser);

  /** Requests as the host's own back office makes them (no portal token: resolveTenant decides). */
  const staff = (tenant = TENANT) => ({ 'x-tenant': tenant });
  const link = (input: Partial<CreatePortalSessionInput> = {}, now?: Date) =>
    `${origin}${portal.createSession({ tenantId: TENANT, ...input }, now).url}`;
  const emit = (listId: string, event: Partial<EmitWebhookEvent> = {}) =>
    hooks.webhooks.emit({
      type: 'contact.subscribed',
      tenantId: TENANT,
      listId,
      source: 'api',
      data: { contact: { email: 'ada@example.com' } },
      ...event,
    });
  /** Opens a link and waits for the portal (or the session error) to be on screen. */
  const openPortal = async (url: string, options = {}): Promise<OpenedPage> => {
    const opened = await pages.open(url, options);
    await opened.page.locator('main.portal__main, [data-testid="session-error"]').first().waitFor();
    return opened;
  };

  beforeAll(async () => {
    [browser, hooks] = await Promise.all([
      launchChromium(),
      createWebhooksApp({
        database: 'postgres',
        namePrefix: 'portal_browser',
        options: {
          admin: { resolveTenant: (req) => String(req.headers['x-tenant'] ?? TENANT) },
          // One retry: a failing delivery is exhausted in about 100 ms.
          retries: { schedule: [100] },
          portal: {
            signingKeys: [KEY],
            resolveLists: (tenantId) => (tenantId === TENANT ? ACME_LISTS : []),
          },
        },
      }),
    ]);
    await hooks.app.listen(0, '127.0.0.1');
    http = hooks.app.getHttpServer() as App;
    const { port } = (hooks.app.getHttpServer() as { address(): AddressInfo }).address();
    origin = `http://127.0.0.1:${port}`;
    portal = hooks.app.get(WebhooksPortal);
  }, 60_000);
  afterEach(() => pages.closeAll());
  afterAll(async () => {
    await browser?.close();
    await hooks?.close();
  });

  describe('the ActiveCampaign flow, end to end', () => {
    let receiver: TestReceiver;
    beforeAll(async () => {
      receiver = await TestReceiver.start();
    });
    afterAll(() => receiver.close());

    const answer = (status: number, body = '') =>
      receiver.respondWith((_request, response) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(body),
      );
    const signedWith = (secret: string, delivery: ReceivedRequest) =>
      verifyWebhook(secret, delivery.body, delivery.headers);
    const row = (page: Page, deliveryId: string, status: string) =>
      page.locator(
        `[data-testid="delivery-row"][data-delivery-id="${deliveryId}"][data-status="${status}"]`,
      );

    it('adds an endpoint for API changes, tests it, follows, fails, redelivers, pauses, rotates and recovers', async () => {
      const { page, problems } = await openPortal(link());

      // The token leaves the address bar at once; the page keeps it for this tab only.
      expect(page.url()).toBe(`${origin}/webhooks/portal`);
      expect(await inPage(page, 'location.hash')).toBe('');
      expect(await storedToken(page)).toMatch(/^ey/);

      // Every list of the tenant, through resolveLists, then the all-lists scope; the customer picks one.
      const picker = page.getByTestId('list-picker');
      expect(await picker.locator('option').allTextContents()).toEqual([
        ...ACME_LISTS.map((list) => list.name),
        en['lists.all'],
      ]);
      await picker.selectOption({ label: 'Product updates' });
      await page.getByText(en['endpoints.empty']).waitFor();

      // Add endpoint: URL, name, one event, API only.
      await page.getByTestId('add-endpoint').click();
      const form = page.getByTestId('endpoint-form');
      await form.getByLabel(en['form.url']).fill(receiver.url('/activecampaign'));
      await form.getByLabel(en['form.name'], { exact: true }).fill('ActiveCampaign');
      await form.getByLabel('contact.subscribed', { exact: true }).check();
      for (const source of ['source.contact', 'source.admin', 'source.system'] as const) {
        await form.getByLabel(en[source], { exact: true }).uncheck();
      }
      expect(await form.getByLabel(en['source.api'], { exact: true }).isChecked()).toBe(true);
      await page.getByTestId('save-endpoint').click();

      // The endpoint screen, with its secret shown this once.
      const detail = page.getByTestId('endpoint-detail');
      await detail.waitFor();
      await page.getByText(en['secret.createdTitle']).waitFor();
      const secret = await textOf(page.getByTestId('secret-value'));
      expect(secret).toMatch(/^whsec_/);
      const settings = detail.locator('dl.props').first();
      expect(await textOf(settings)).toContain('contact.subscribed');
      expect(await textOf(settings.locator('dd').nth(2))).toBe(en['source.api']);
      const subscriptionId = await detail.getAttribute('data-endpoint-id');
      expect(subscriptionId).toBeTruthy();
      // What the server stored is what the form said.
      const stored = await request(http)
        .get(`/lists/3/webhooks/${subscriptionId}`)
        .set(staff())
        .expect(200);
      expect(stored.body).toMatchObject({
        name: 'ActiveCampaign',
        url: receiver.url('/activecampaign'),
        events: ['contact.subscribed'],
        sources: ['api'],
      });
      // Leaving the screen and coming back, the secret is no longer shown.
      await page.getByRole('button', { name: en['detail.back'] }).click();
      await page
        .getByTestId('endpoint-row')
        .getByRole('button', { name: 'ActiveCampaign' })
        .click();
      await page.getByTestId('reveal-secret').waitFor();
      expect(await page.getByTestId('secret-value').count()).toBe(0);
      expect(await page.getByText(en['secret.createdTitle']).count()).toBe(0);

      // A test event, answered by the receiver: its answer on the page, its signature valid.
      await page.getByTestId('send-test').click();
      const testResult = page.getByTestId('test-result');
      await testResult.waitFor();
      expect(await testResult.getAttribute('data-delivered')).toBe('true');
      expect(await textOf(testResult)).toContain(en['test.delivered']);
      expect(await textOf(testResult)).toContain('204');
      const [ping] = await receiver.waitFor(1);
      expect(JSON.parse(ping.body)).toMatchObject({ type: 'webhook.test' });
      expect(() => signedWith(secret, ping)).not.toThrow();

      // A contact's own change is not for this endpoint; the API's is, and shows in the log.
      await emit('3', { source: 'contact' });
      const {
        deliveryIds: [firstId],
      } = await emit('3');
      const [, first] = await receiver.waitFor(2);
      expect(first.headers['webhook-id']).toBe(firstId);
      expect(JSON.parse(first.body)).toMatchObject({ type: 'contact.subscribed', source: 'api' });
      expect(signedWith(secret, first).id).toBe(firstId);
      await refreshLogUntil(page, row(page, firstId, 'succeeded'));
      expect(
        await page.getByTestId('delivery-row').locator('.delivery-row__type').allTextContents(),
      ).toEqual(['contact.subscribed', 'webhook.test']);

      // The receiver fails: the delivery is exhausted, its attempts say why.
      answer(500, '{"error":"mailbox full"}');
      const {
        deliveryIds: [failedId],
      } = await emit('3', { data: { contact: { email: 'grace@example.com' } } });
      await refreshLogUntil(page, row(page, failedId, 'exhausted'));
      await row(page, failedId, 'exhausted').getByRole('button').click();
      const dialog = page.getByTestId('delivery-detail');
      await dialog.waitFor();
      const attempts = dialog.getByTestId('attempt-row');
      expect(await attempts.count()).toBe(2);
      for (const attempt of await attempts.all()) {
        const text = await textOf(attempt);
        expect(text).toContain('500');
        expect(text).toContain(en['errorKind.http_status']);
        expect(await textOf(attempt.getByTestId('response-excerpt'))).toBe(
          '{"error":"mailbox full"}',
        );
      }

      // Back to 2xx: redelivered from the dialog, and delivered.
      answer(200, '{"ok":true}');
      const before = receiver.requests.length;
      await dialog.getByTestId('redeliver').click();
      await dialog.getByText(fill(en['delivery.redelivered'], { n: 3 })).waitFor();
      const redelivered = (await receiver.waitFor(before + 1))[before];
      expect(redelivered.headers['webhook-id']).toBe(failedId);
      expect(() => signedWith(secret, redelivered)).not.toThrow();
      await dialog.getByRole('button', { name: en['common.close'] }).click();
      await refreshLogUntil(page, row(page, failedId, 'succeeded'));
      await row(page, failedId, 'succeeded').getByRole('button').click();
      const third = page.getByTestId('attempt-row').first();
      expect(await third.getAttribute('data-attempt-number')).toBe('3');
      expect(await textOf(third)).toContain(en['trigger.redelivery']);
      expect(await textOf(third.getByTestId('response-excerpt'))).toBe('{"ok":true}');
      // Escape goes to the dialog itself: focus may have left it while the attempts re-rendered.
      await dialog.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // Paused, events are held; resumed, they are sent.
      await page.getByTestId('pause-endpoint').click();
      await page.locator('[data-testid="endpoint-detail"][data-status="paused"]').waitFor();
      await page.getByTestId('toast').getByText(en['detail.paused']).waitFor();
      const {
        deliveryIds: [heldId],
      } = await emit('3');
      await refreshLogUntil(page, row(page, heldId, 'held'));
      const beforeResume = receiver.requests.length;
      expect(receiver.requests.map((one) => one.headers['webhook-id'])).not.toContain(heldId);
      await page.getByTestId('resume-endpoint').click();
      await page.locator('[data-testid="endpoint-detail"][data-status="active"]').waitFor();
      const released = (await receiver.waitFor(beforeResume + 1))[beforeResume];
      expect(released.headers['webhook-id']).toBe(heldId);
      await refreshLogUntil(page, row(page, heldId, 'succeeded'));

      // A new secret, after confirming: different, and it signs the next delivery.
      await page.getByTestId('rotate-secret').click();
      await page.getByTestId('confirm-dialog').getByTestId('confirm-action').click();
      await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
      const rotated = await textOf(page.getByTestId('secret-value'));
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(secret);
      const beforeRotated = receiver.requests.length;
      const {
        deliveryIds: [afterRotationId],
      } = await emit('3');
      const afterRotation = (await receiver.waitFor(beforeRotated + 1))[beforeRotated];
      expect(afterRotation.headers['webhook-id']).toBe(afterRotationId);
      expect(signedWith(rotated, afterRotation).id).toBe(afterRotationId);

      // Failures since a time, recovered once the receiver is back: the count on the page, the
      // delivery at the receiver.
      const failuresFrom = new Date();
      answer(503, 'down for maintenance');
      const {
        deliveryIds: [lostId],
      } = await emit('3');
      await refreshLogUntil(page, row(page, lostId, 'exhausted'));
      answer(204);
      const sinceMinute = new Date(failuresFrom.getTime() - 60_000).toISOString().slice(0, 16);
      await page.getByTestId('recover-since').fill(sinceMinute);
      const beforeRecovery = receiver.requests.length;
      await page.getByTestId('recover-submit').click();
      await page
        .getByTestId('toast')
        .getByText(fill(en['recover.done'], { count: 1 }))
        .waitFor();
      const recovered = (await receiver.waitFor(beforeRecovery + 1))[beforeRecovery];
      expect(recovered.headers['webhook-id']).toBe(lostId);
      expect(signedWith(rotated, recovered).id).toBe(lostId);
      await refreshLogUntil(page, row(page, lostId, 'succeeded'));

      expect(problems).toEqual([]);
    }, 60_000);
  });

  describe('scoping', () => {
    let receiver: TestReceiver;
    let ownId: string;
    let otherListId: string;
    let otherTenantId: string;
    beforeAll(async () => {
      receiver = await TestReceiver.start();
      const endpoint = (listId: string, name: string, tenant = TENANT) =>
        createSubscription(
          hooks,
          listId,
          { url: receiver.url(`/${listId}`), events: ['contact.subscribed'], name },
          staff(tenant),
        );
      ownId = (await endpoint('1', 'Newsletter CRM')).id;
      otherListId = (await endpoint('2', 'Customers CRM')).id;
      otherTenantId = (await endpoint('1', 'Globex CRM', 'globex')).id;
    });
    afterAll(() => receiver.close());

    it("shows only the session's list and its tenant's endpoints; its token cannot reach another list", async () => {
      const { page } = await openPortal(link({ lists: [{ id: '1', name: 'Newsletter' }] }));
      const picker = page.getByTestId('list-picker');
      expect(await picker.locator('option').allTextContents()).toEqual(['Newsletter']);
      await page.getByTestId('endpoint-row').first().waitFor();
      const rows = page.getByTestId('endpoint-row');
      expect(await attributesOf(rows, 'data-endpoint-id')).toEqual([ownId]);
      const body = await textOf(page.locator('body'));
      expect(body).toContain('Newsletter CRM');
      expect(body).not.toContain('Customers CRM');
      expect(body).not.toContain('Globex CRM');

      // The page's own token, as a script on the page would use it.
      const token = await storedToken(page);
      const call = (path: string) =>
        page.evaluate(
          async ({ path, token }) => {
            const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
            return { status: response.status, body: await response.json() };
          },
          { path, token },
        );
      expect(await call('/lists/1/webhooks')).toMatchObject({ status: 200 });
      expect(await call('/lists/2/webhooks')).toMatchObject({
        status: 403,
        body: { code: 'portal_list_not_in_session' },
      });
      expect(await call(`/lists/2/webhooks/${otherListId}`)).toMatchObject({ status: 403 });
      expect(await call(`/lists/1/webhooks/${otherTenantId}`)).toMatchObject({ status: 404 });
    });

    it('shows another tenant, on the same list id, its own endpoints only', async () => {
      const { page } = await openPortal(
        link({ tenantId: 'globex', lists: [{ id: '1', name: 'Globex news' }] }),
      );
      await page.getByTestId('endpoint-row').first().waitFor();
      expect(await attributesOf(page.getByTestId('endpoint-row'), 'data-endpoint-id')).toEqual([
        otherTenantId,
      ]);
      expect(await textOf(page.locator('body'))).not.toContain('Newsletter CRM');
    });
  });

  describe('expired and altered links', () => {
    it('shows the expired screen in the browser language, and no data, for a link past its time', async () => {
      await createSubscription(
        hooks,
        '9',
        { url: 'http://127.0.0.1:9/never', events: ['contact.subscribed'], name: 'Secret CRM' },
        staff(),
      );
      const expired = link({ lists: ['9'], expiresInMs: 1_000 }, new Date(Date.now() - 60_000));
      const { page } = await openPortal(expired, { locale: 'it-IT' });
      const screen = page.getByTestId('session-error');
      expect(await screen.getAttribute('data-problem')).toBe('expired');
      expect(await textOf(screen)).toBe(italian['session.expired']);
      expect(await page.locator('html').getAttribute('lang')).toBe('it');
      expect(await page.getByTestId('list-picker').count()).toBe(0);
      expect(await page.getByTestId('endpoint-list').count()).toBe(0);
      expect(await textOf(page.locator('body'))).not.toContain('Secret CRM');
      expect(page.url()).not.toContain('session=');
    });

    it('replaces the portal with the expired screen when the session ends while it is open', async () => {
      // Signed 56 s ago for 60 s: three to four seconds left (expiry is in whole seconds), time
      // enough to load the page on a busy machine.
      const { page } = await openPortal(
        link({ lists: ['1'], expiresInMs: 60_000 }, new Date(Date.now() - 56_000)),
      );
      await page.getByTestId('endpoint-list').waitFor();
      await page.locator('[data-testid="session-error"][data-problem="expired"]').waitFor({
        timeout: 10_000,
      });
      expect(await page.getByTestId('endpoint-list').count()).toBe(0);
      expect(await page.getByTestId('list-picker').count()).toBe(0);
    });

    it.each([
      [
        'a payload changed to another tenant',
        (token: string) => {
          const [header, payload, signature] = token.split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object;
          const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'globex' })).toString(
            'base64url',
          );
          return `${header}.${forged}.${signature}`;
        },
      ],
      ['a cut signature', (token: string) => token.slice(0, -4)],
      ['no token at all', () => ''],
    ])('shows the invalid link screen for %s', async (_, tamper) => {
      const { token } = portal.createSession({ tenantId: TENANT, lists: ['1'] });
      const { page } = await openPortal(`${origin}/webhooks/portal#session=${tamper(token)}`);
      const screen = page.getByTestId('session-error');
      expect(await screen.getAttribute('data-problem')).toBe('invalid');
      expect(await textOf(screen)).toBe(en['session.invalid']);
      expect(await page.getByTestId('endpoint-list').count()).toBe(0);
    });
  });

  describe('text from receivers, endpoints and lists', () => {
    let receiver: TestReceiver;
    beforeAll(async () => {
      receiver = await TestReceiver.start();
      receiver.respondWith((_request, response) =>
        response.writeHead(500, { 'content-type': 'text/html' }).end(PWN),
      );
    });
    afterAll(() => receiver.close());

    it('is shown as text: markup never becomes elements, its scripts never run', async () => {
      const listName = `<b>VIP</b> ${PWN}`;
      const created = await createSubscription(
        hooks,
        '5',
        {
          url: receiver.url('/xss'),
          events: ['contact.subscribed'],
          name: PWN,
        },
        staff(),
      );
      const {
        deliveryIds: [deliveryId],
      } = await emit('5');
      await waitForDelivery(hooks, '5', created.id, 'exhausted', staff());

      const { page, problems } = await openPortal(link({ lists: [{ id: '5', name: listName }] }));
      expect(await page.getByTestId('list-picker').locator('option').allTextContents()).toEqual([
        listName,
      ]);
      const name = page.getByTestId('endpoint-row').getByRole('button', { name: PWN, exact: true });
      expect(await name.textContent()).toBe(PWN);
      await name.click();
      await page.getByRole('heading', { name: PWN, exact: true }).waitFor();

      // The test event's answer too.
      await page.getByTestId('send-test').click();
      await page.getByTestId('test-result').waitFor();

      const row = page.locator(`[data-testid="delivery-row"][data-delivery-id="${deliveryId}"]`);
      await row.getByRole('button').click();
      const excerpts = page.getByTestId('delivery-detail').getByTestId('response-excerpt');
      await excerpts.first().waitFor();
      expect(await excerpts.allTextContents()).toEqual([PWN, PWN]);

      expect(await inPage(page, 'typeof window.__pwned')).toBe('undefined');
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('b').count()).toBe(0);
      expect(problems).toEqual([]);
    });
  });

  describe('languages', () => {
    beforeAll(async () => {
      await createSubscription(
        hooks,
        '8',
        { url: 'http://127.0.0.1:9/crm', events: ['contact.subscribed'], name: 'CRM' },
        staff(),
      );
    });

    it.each([
      ['the session says Italian', { locale: 'it' as const }, 'en-US', italian, 'it'],
      ['the session says German', { locale: 'de' as const }, 'it-IT', de, 'de'],
      ['the browser prefers German', {}, 'de-DE', de, 'de'],
      ['the browser prefers French', {}, 'fr-FR', en, 'en'],
    ])('speaks the right language when %s', async (_, session, browserLocale, words, lang) => {
      const { page } = await openPortal(
        link({ lists: [{ id: '8', name: 'Clienti' }], ...session }),
        {
          locale: browserLocale,
        },
      );
      await page.getByTestId('endpoint-row').first().waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.title()).toBe(words['app.title']);
      expect(await textOf(page.locator('label[for="webhooks-portal-list"]'))).toBe(
        words['lists.label'],
      );
      expect(await textOf(page.locator('#endpoints-heading'))).toBe(words['endpoints.title']);
      expect(await textOf(page.getByTestId('add-endpoint'))).toBe(words['endpoints.add']);
      expect(await textOf(page.getByTestId('endpoint-row').first())).toContain(
        fill(words['endpoints.events'], { count: 1 }),
      );
      if (lang === 'it') await screenshot(page, 'portal-it');
    });
  });

  describe('a read-only session', () => {
    let receiver: TestReceiver;
    beforeAll(async () => {
      receiver = await TestReceiver.start();
      const created = await createSubscription(
        hooks,
        '6',
        {
          url: receiver.url('/readonly'),
          events: ['contact.subscribed'],
          name: 'Billing',
          headers: { Authorization: 'Bearer receivers-own-token' },
        },
        staff(),
      );
      await emit('6');
      await waitForDelivery(hooks, '6', created.id, 'succeeded', staff());
    });
    afterAll(() => receiver.close());

    it('shows everything but offers no control that changes anything, and masks header values', async () => {
      const { page, problems } = await openPortal(link({ lists: ['6'], readOnly: true }));
      await page.getByText(en['app.readOnly']).waitFor();
      expect(await page.getByTestId('add-endpoint').count()).toBe(0);
      await page.getByTestId('endpoint-row').getByRole('button', { name: 'Billing' }).click();
      const detail = page.getByTestId('endpoint-detail');
      await detail.getByTestId('delivery-row').first().waitFor();
      for (const control of [
        'pause-endpoint',
        'resume-endpoint',
        'delete-endpoint',
        'reveal-secret',
        'rotate-secret',
        'secret-value',
        'send-test',
        'recover-submit',
      ]) {
        expect({ control, count: await page.getByTestId(control).count() }).toEqual({
          control,
          count: 0,
        });
      }
      expect(await detail.getByRole('button', { name: en['detail.edit'] }).count()).toBe(0);
      await page.getByText(en['secret.readOnly']).waitFor();
      expect(await textOf(detail)).toContain('Authorization: ********');
      await detail.getByTestId('delivery-row').first().getByRole('button').click();
      await page.getByTestId('delivery-detail').getByTestId('attempt-row').first().waitFor();
      expect(await page.getByTestId('redeliver').count()).toBe(0);
      expect(await page.content()).not.toContain('receivers-own-token');
      expect(problems).toEqual([]);
    });
  });

  describe('accessibility and screenshots', () => {
    let receiver: TestReceiver;
    let failing = false;
    beforeAll(async () => {
      receiver = await TestReceiver.start();
      receiver.respondWith((_request, response) =>
        failing
          ? response
              .writeHead(503, { 'content-type': 'application/json' })
              .end('{"error":"upstream unavailable","retry":"later"}')
          : response.writeHead(204).end(),
      );
      const endpoint = (body: Parameters<typeof createSubscription>[2]) =>
        createSubscription(hooks, '7', body, staff());
      const crm = await endpoint({
        url: receiver.url('/crm'),
        name: 'CRM sync',
        events: ['contact.subscribed', 'contact.unsubscribed'],
        sources: ['contact', 'api'],
        headers: { 'X-Api-Key': 'crm-key-123' },
      });
      await endpoint({
        url: receiver.url('/warehouse'),
        name: 'Analytics warehouse',
        events: ['contact.subscribed', 'contact.updated', 'campaign.sent'],
      });
      const zap = await endpoint({
        url: receiver.url('/zapier'),
        name: 'Zapier',
        events: ['contact.unsubscribed'],
      });
      await request(http)
        .patch(`/lists/7/webhooks/${zap.id}`)
        .set(staff())
        .send({ status: 'paused' })
        .expect(200);
      await emit('7');
      await waitForDelivery(hooks, '7', crm.id, 'succeeded', staff());
      failing = true;
      await emit('7', { type: 'contact.unsubscribed', source: 'contact' });
      await waitForDelivery(hooks, '7', crm.id, 'exhausted', staff());
    });
    afterAll(() => receiver.close());

    const expectAccessible = async (page: Page, screen: string) => {
      const violations = await seriousAccessibilityViolations(page);
      expect({ screen, violations }).toEqual({ screen, violations: [] });
    };

    it.each(['light', 'dark'] as const)(
      'has no serious accessibility violation on any screen (%s)',
      async (theme) => {
        const { page, problems } = await openPortal(
          link({ lists: [{ id: '7', name: 'Newsletter' }], theme }),
        );
        expect(await page.locator('html').getAttribute('data-theme')).toBe(theme);
        await page.getByTestId('endpoint-row').nth(2).waitFor();
        await expectAccessible(page, 'endpoints');
        if (theme === 'light') await screenshot(page, 'portal-endpoints');

        await page.getByTestId('add-endpoint').click();
        const form = page.getByTestId('endpoint-form');
        await form.waitFor();
        await expectAccessible(page, 'form');
        const url = form.getByLabel(en['form.url']);
        if (theme === 'light') {
          await url.fill('https://hooks.example.com/activecampaign');
          await form.getByLabel(en['form.name'], { exact: true }).fill('ActiveCampaign');
          await form.getByLabel('contact.subscribed', { exact: true }).check();
          await form.getByRole('button', { name: en['form.addHeader'] }).click();
          await form.getByLabel(fill(en['form.headerName'], { n: 1 })).fill('X-Api-Key');
          await form.getByLabel(fill(en['form.headerValue'], { n: 1 })).fill('ac-123');
          await screenshot(page, 'portal-endpoint-form');
        }
        await url.fill('hooks.example.com');
        await page.getByTestId('save-endpoint').click();
        await form.getByTestId('form-errors').getByText(en['form.error.url']).waitFor();
        expect(await url.getAttribute('aria-invalid')).toBe('true');
        await expectAccessible(page, 'form with errors');
        await form.getByRole('button', { name: en['form.cancel'] }).click();

        await page.getByTestId('endpoint-row').getByRole('button', { name: 'CRM sync' }).click();
        const log = page.getByTestId('delivery-log');
        await log.locator('[data-testid="delivery-row"][data-status="exhausted"]').waitFor();
        await log.locator('[data-testid="delivery-row"][data-status="succeeded"]').waitFor();
        await expectAccessible(page, 'endpoint detail');
        await screenshot(page, theme === 'light' ? 'portal-endpoint-detail' : 'portal-dark');

        await log
          .locator('[data-testid="delivery-row"][data-status="exhausted"]')
          .getByRole('button')
          .click();
        await page.getByTestId('delivery-detail').getByTestId('attempt-row').nth(1).waitFor();
        await expectAccessible(page, 'delivery dialog');
        if (theme === 'light') await screenshot(page, 'portal-delivery', { fullPage: false });

        expect(problems).toEqual([]);
      },
      40_000,
    );
  });
});
