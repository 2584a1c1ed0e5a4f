import type { Page } from 'playwright-core';
import request from 'supertest';
import type { App } from 'supertest/types';
import { verifyWebhook } from 'nestjs-marketing-webhooks';
import { en } from '../libs/webhooks/portal-ui/src/i18n/en';
import { fill, inPage, refreshLogUntil, storedToken, textOf } from './support/portal-browser';
import { TestReceiver, type ReceivedRequest } from './support/receiver';
import { ACME_LISTS, portalBrowserApp } from './support/portal-browser-app';

/**
 * The customer portal as a customer uses it, in Debian's Chromium: a real Nest app on PostgreSQL and
 * Redis listening on loopback, real receivers, links from WebhooksPortal.createSession (issue 19's
 * "Proof"). Everything is checked on what the page shows. This file: the whole flow, end to end.
 */
describe('the portal page in Chromium: the ActiveCampaign flow (PostgreSQL, Redis, real receivers)', () => {
  let http: App;
  let origin: string;
  const portalApp = portalBrowserApp();
  const { staff, link, emit, openPortal } = portalApp;
  beforeAll(() => ({ http, origin } = portalApp.current));

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

      // A later failure of the panel takes the earlier success notice down as it appears (the notice
      // would otherwise stay for seconds beside it).
      await page.getByTestId('recover-since').fill('');
      await page.getByTestId('recover-submit').click();
      await page.getByText(en['recover.invalid']).waitFor();
      expect(await page.getByTestId('toast').count()).toBe(0);

      expect(problems).toEqual([]);
    }, 60_000);
  });
});
