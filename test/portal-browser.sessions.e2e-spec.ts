import type { WebhooksPortal } from 'nestjs-marketing-webhooks';
import { en } from '../libs/webhooks/portal-ui/src/i18n/en';
import { it as italian } from '../libs/webhooks/portal-ui/src/i18n/it';
import { attributesOf, storedToken, textOf } from './support/portal-browser';
import { TestReceiver } from './support/receiver';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { TENANT, portalBrowserApp } from './support/portal-browser-app';
import type { WebhooksTestApp } from './support/webhooks-app';

/**
 * The customer portal in Debian's Chromium (see portal-browser.flow.e2e-spec.ts): what a session
 * reaches, expired and altered links, read-only sessions.
 */
describe('the portal page in Chromium: sessions (PostgreSQL, Redis, real receivers)', () => {
  let hooks: WebhooksTestApp;
  let portal: WebhooksPortal;
  let origin: string;
  const portalApp = portalBrowserApp();
  const { staff, link, emit, openPortal } = portalApp;
  beforeAll(() => ({ hooks, portal, origin } = portalApp.current));

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
});
