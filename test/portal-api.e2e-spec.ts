import { ForbiddenException, type CanActivate } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  WebhooksPortal,
  type CreatePortalSessionInput,
  type WebhooksAdminRequest,
} from 'nestjs-marketing-webhooks';
import { TestReceiver } from './support/receiver';
import { createSubscription, listDeliveries, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const KEY = { id: 'k1', secret: 'portal-test-key-0123456789abcdef0123456789' };
const RETIRED_KEY = { id: 'k0', secret: 'portal-retired-key-0123456789abcdef012345' };

/** The host's own admin guard: only requests with its session header pass. */
const hostGuard: CanActivate = {
  canActivate: (context) => {
    const request = context.switchToHttp().getRequest<WebhooksAdminRequest>();
    if (request.headers['x-host-session'] !== 'staff') throw new ForbiddenException('host says no');
    return true;
  },
};

/**
 * The admin routes as the portal page uses them: a portal token names the tenant and the lists, and
 * nothing it carries lets a customer reach another list, another tenant, or change anything when it
 * is read-only (issue 19).
 */
describe('portal sessions on the admin API', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  let portal: WebhooksPortal;
  let receiver: TestReceiver;
  let clock: Date;
  const staff = { 'x-host-session': 'staff', 'x-tenant': 'acme' };

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: {
        admin: {
          guards: [hostGuard],
          resolveTenant: (req) => String(req.headers['x-tenant']),
        },
        portal: {
          signingKeys: [KEY, RETIRED_KEY],
          resolveLists: (tenantId) =>
            tenantId === 'acme'
              ? [
                  { id: '1', name: 'Newsletter' },
                  { id: '2', name: 'Customers' },
                ]
              : [],
        },
      },
    });
    http = hooks.app.getHttpServer() as App;
    portal = hooks.app.get(WebhooksPortal);
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });
  beforeEach(() => {
    clock = new Date();
  });

  const tokenFor = (input: Partial<CreatePortalSessionInput> = {}) =>
    portal.createSession({ tenantId: 'acme', lists: ['1'], ...input }, clock).token;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const subscribe = (listId: string, tenant = 'acme') =>
    createSubscription(
      hooks,
      listId,
      { url: receiver.url(), events: ['contact.subscribed', 'contact.updated'] },
      { ...staff, 'x-tenant': tenant },
    );

  it('creates a link to the page with the token in its fragment', () => {
    const link = portal.createSession({ tenantId: 'acme', lists: ['1'] }, clock);
    expect(link.url).toBe(`/webhooks/portal#session=${link.token}`);
    expect(link.expiresAt.getTime() - clock.getTime()).toBeGreaterThan(59 * 60_000);
  });

  it('lets a session use the routes of its list without the host guard or resolveTenant', async () => {
    const token = tokenFor();
    const created = await request(http)
      .post('/lists/1/webhooks')
      .set(bearer(token))
      .send({ url: receiver.url('/portal'), events: ['contact.subscribed'] })
      .expect(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const listed = await request(http).get('/lists/1/webhooks').set(staff).expect(200);
    expect(listed.body.data.map((row: { id: string }) => row.id)).toContain(created.body.id);
    const session = await request(http)
      .get('/webhooks/portal/session')
      .set(bearer(token))
      .expect(200);
    expect(session.body).toEqual({
      lists: [{ id: '1', name: '1' }],
      readOnly: false,
      locale: null,
      theme: null,
      expiresAt: new Date((Math.floor(clock.getTime() / 1000) + 3_600) * 1000).toISOString(),
    });
  });

  it('names every list of the tenant for a session without lists', async () => {
    const token = tokenFor({ lists: undefined, locale: 'it', theme: 'dark' });
    const session = await request(http)
      .get('/webhooks/portal/session')
      .set(bearer(token))
      .expect(200);
    expect(session.body).toMatchObject({
      lists: [
        { id: '1', name: 'Newsletter' },
        { id: '2', name: 'Customers' },
        { id: '*', name: 'All lists' },
      ],
      locale: 'it',
      theme: 'dark',
    });
    await request(http).get('/lists/2/webhooks').set(bearer(token)).expect(200);
    await request(http).get('/lists/*/webhooks').set(bearer(token)).expect(200);
    const listOne = tokenFor({ lists: ['1'] });
    const refused = await request(http).get('/lists/*/webhooks').set(bearer(listOne)).expect(403);
    expect(refused.body.code).toBe('portal_list_not_in_session');
  });

  describe('every route the portal uses', () => {
    let inList1: string;
    let inList2: string;
    let otherTenants: string;
    let deliveryId: string;

    beforeAll(async () => {
      inList1 = (await subscribe('1')).id;
      inList2 = (await subscribe('2')).id;
      otherTenants = (await subscribe('1', 'globex')).id;
      await hooks.webhooks.emit({
        type: 'contact.subscribed',
        tenantId: 'acme',
        listId: '1',
        source: 'api',
        data: { email: 'ada@example.com' },
      });
      deliveryId = (await waitForDelivery(hooks, '1', inList1, 'succeeded', staff)).id;
    });

    const routes = (listId: string, id: string) =>
      [
        ['GET', `/lists/${listId}/webhooks`, undefined],
        ['GET', `/lists/${listId}/webhooks/${id}`, undefined],
        ['GET', `/lists/${listId}/webhooks/${id}/deliveries`, undefined],
        ['GET', `/lists/${listId}/webhooks/${id}/secret`, undefined],
        ['POST', `/lists/${listId}/webhooks`, { url: receiver.url(), events: ['contact.updated'] }],
        ['PATCH', `/lists/${listId}/webhooks/${id}`, { status: 'paused' }],
        ['DELETE', `/lists/${listId}/webhooks/${id}`, undefined],
        ['POST', `/lists/${listId}/webhooks/${id}/test`, undefined],
        ['POST', `/lists/${listId}/webhooks/${id}/rotate-secret`, undefined],
        ['POST', `/lists/${listId}/webhooks/${id}/verify`, undefined],
        ['POST', `/lists/${listId}/webhooks/preview`, { eventType: 'contact.updated' }],
        ['POST', `/lists/${listId}/webhooks/${id}/recover`, { since: '2020-01-01T00:00:00Z' }],
        ['POST', `/lists/${listId}/webhooks/${id}/deliveries/${deliveryId}/redeliver`, undefined],
      ] as const;

    const send = (method: string, path: string, body: object | undefined, token: string) => {
      const call = request(http)[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](path);
      return (body ? call.send(body) : call).set(bearer(token));
    };

    it('refuses another list of the same tenant (403 naming listId), and changes nothing', async () => {
      const token = tokenFor({ lists: ['1'] });
      for (const [method, path, body] of routes('2', inList2)) {
        const response = await send(method, path, body, token);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
        expect(response.body).toMatchObject({ code: 'portal_list_not_in_session' });
        expect(response.body.message).toEqual([expect.stringContaining('listId')]);
      }
      const untouched = await request(http)
        .get(`/lists/2/webhooks/${inList2}`)
        .set(staff)
        .expect(200);
      expect(untouched.body.status).toBe('active');
    });

    it("does not find another tenant's subscription in the same list (404)", async () => {
      const token = tokenFor({ lists: ['1'] });
      for (const [method, path, body] of routes('1', otherTenants)) {
        if (method === 'GET' && path === '/lists/1/webhooks') continue;
        // Routes of the list itself, not of one subscription.
        if (method === 'POST' && /^\/lists\/1\/webhooks(\/preview)?$/.test(path)) continue;
        const response = await send(method, path, body, token);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
      }
      const listed = await send('GET', '/lists/1/webhooks', undefined, token);
      expect(listed.body.data.map((row: { id: string }) => row.id)).not.toContain(otherTenants);
    });

    it('lets a read-only session read, but not change anything or reveal the secret (403)', async () => {
      const token = tokenFor({ readOnly: true });
      for (const [method, path, body] of routes('1', inList1)) {
        const response = await send(method, path, body, token);
        const allowed = method === 'GET' && !path.endsWith('/secret');
        expect({ method, path, status: response.status }).toEqual({
          method,
          path,
          status: allowed ? 200 : 403,
        });
        if (!allowed) expect(response.body.code).toBe('portal_read_only');
      }
      const untouched = await request(http)
        .get(`/lists/1/webhooks/${inList1}`)
        .set(staff)
        .expect(200);
      expect(untouched.body.status).toBe('active');
    });

    it("hides custom header values (a receiver's credentials) from read-only sessions only", async () => {
      const withHeader = await createSubscription(
        hooks,
        '1',
        {
          url: receiver.url(),
          events: ['contact.updated'],
          headers: { Authorization: 'Bearer receivers-own-token' },
        },
        staff,
      );
      const readOnly = bearer(tokenFor({ readOnly: true }));
      const one = await request(http)
        .get(`/lists/1/webhooks/${withHeader.id}`)
        .set(readOnly)
        .expect(200);
      const page = await request(http).get('/lists/1/webhooks').set(readOnly).expect(200);
      const listed = page.body.data.find((row: { id: string }) => row.id === withHeader.id);
      for (const view of [one.body, listed]) {
        expect(view.headers).toEqual({ Authorization: '********' });
      }
      expect(JSON.stringify(page.body)).not.toContain('receivers-own-token');
      const editor = await request(http)
        .get(`/lists/1/webhooks/${withHeader.id}`)
        .set(bearer(tokenFor()))
        .expect(200);
      expect(editor.body.headers).toEqual({ Authorization: 'Bearer receivers-own-token' });
      await request(http).delete(`/lists/1/webhooks/${withHeader.id}`).set(staff).expect(204);
    });

    it('answers an expired token 401 portal_session_expired, on every route', async () => {
      clock = new Date(Date.now() - 5_000);
      const expired = tokenFor({ expiresInMs: 1_000 });
      for (const [method, path, body] of [
        ...routes('1', inList1),
        ['GET', '/webhooks/portal/session', undefined] as const,
        ['GET', '/webhooks/event-types', undefined] as const,
      ]) {
        const response = await send(method, path, body, expired);
        expect({ path, status: response.status, code: response.body.code }).toEqual({
          path,
          status: 401,
          code: 'portal_session_expired',
        });
        expect(response.body).not.toHaveProperty('data');
      }
    });

    it.each([
      ['a changed payload', (token: string) => tamperPayload(token, { sub: 'globex' })],
      [
        'a list added',
        (token: string) => tamperPayload(token, { lists: [{ id: '2', name: '2' }] }),
      ],
      [
        'a changed signature',
        (token: string) => `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`,
      ],
      [
        'alg none',
        (token: string) =>
          withHeader(token, { alg: 'none', typ: 'webhooks-portal+jwt', kid: 'k1' }),
      ],
      [
        'an unknown key',
        (token: string) =>
          withHeader(token, { alg: 'HS256', typ: 'webhooks-portal+jwt', kid: 'k9' }),
      ],
    ])('answers a token with %s 401 portal_session_invalid, never data', async (_, tamper) => {
      const token = tamper(tokenFor());
      for (const [method, path, body] of routes('1', inList1)) {
        const response = await send(method, path, body, token);
        expect({ path, status: response.status, code: response.body.code }).toEqual({
          path,
          status: 401,
          code: 'portal_session_invalid',
        });
      }
    });

    it('accepts tokens of every configured key (rotation), and refuses one no key signs', async () => {
      const rotatedOut = createWebhooksPortalToken(RETIRED_KEY);
      await request(http).get('/lists/1/webhooks').set(bearer(rotatedOut)).expect(200);
      const foreign = createWebhooksPortalToken({ id: 'k1', secret: 'x'.repeat(40) });
      await request(http).get('/lists/1/webhooks').set(bearer(foreign)).expect(401);
    });

    it('leaves requests without a portal token to the host (its guard, its tenant)', async () => {
      await request(http).get('/lists/1/webhooks').expect(403);
      await request(http)
        .get('/lists/1/webhooks')
        .set({ authorization: 'Bearer host.jwt.value' })
        .expect(403);
      const response = await request(http).get('/webhooks/portal/session').set(staff).expect(401);
      expect(response.body.code).toBe('portal_session_invalid');
    });

    it('shows each delivery with its event type, and filters the log by type', async () => {
      const token = tokenFor();
      const all = await listDeliveries(hooks, '1', inList1, {}, bearer(token));
      expect(all.data[0]).toMatchObject({ id: deliveryId, eventType: 'contact.subscribed' });
      const none = await listDeliveries(
        hooks,
        '1',
        inList1,
        { eventType: 'contact.updated' },
        bearer(token),
      );
      expect(none.data).toEqual([]);
      const unknown = await request(http)
        .get(`/lists/1/webhooks/${inList1}/deliveries`)
        .query({ eventType: 'no.such' })
        .set(bearer(token))
        .expect(400);
      expect(unknown.body.message).toEqual([expect.stringContaining('eventType')]);
    });
  });

  /** A token as another deployment (or an attacker with another key) would sign it. */
  function createWebhooksPortalToken(key: { id: string; secret: string }): string {
    const header = b64({ alg: 'HS256', typ: 'webhooks-portal+jwt', kid: key.id });
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({
      sub: 'acme',
      lists: [{ id: '1', name: '1' }],
      readOnly: false,
      locale: null,
      theme: null,
      iat: now,
      exp: now + 60,
    });
    const signature = createHmac('sha256', key.secret)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function tamperPayload(token: string, changes: object): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  return `${header}.${b64({ ...claims, ...changes })}.${signature}`;
}

function withHeader(token: string, header: object): string {
  const [, payload, signature] = token.split('.');
  return `${b64(header)}.${payload}.${signature}`;
}
