import type { Page } from 'playwright-core';
import request from 'supertest';
import type { App } from 'supertest/types';
import { de } from '../libs/webhooks/portal-ui/src/i18n/de';
import { en } from '../libs/webhooks/portal-ui/src/i18n/en';
import { it as italian } from '../libs/webhooks/portal-ui/src/i18n/it';
import { screenshot, seriousAccessibilityViolations } from './support/browser';
import { fill, inPage, textOf } from './support/portal-browser';
import { TestReceiver } from './support/receiver';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { PWN, portalBrowserApp } from './support/portal-browser-app';
import type { WebhooksTestApp } from './support/webhooks-app';

/**
 * The customer portal in Debian's Chromium (see portal-browser.flow.e2e-spec.ts): text from receivers
 * and customers shown as text, languages, accessibility in light and dark, screenshots.
 */
describe('the portal page in Chromium: what it shows (PostgreSQL, Redis, real receivers)', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  const portalApp = portalBrowserApp();
  const { staff, link, emit, openPortal } = portalApp;
  beforeAll(() => ({ hooks, http } = portalApp.current));

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
