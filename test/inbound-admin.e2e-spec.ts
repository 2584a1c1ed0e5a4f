import request from 'supertest';
import type { App } from 'supertest/types';
import { WebhooksPortal } from 'nestjs-marketing-webhooks';
import { createEndpoint, postInbound, RecordingInboundHandler } from './support/inbound';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const TENANT_HEADER = 'x-tenant';

/**
 * The inbound admin API (issue 20): endpoints and their events through /webhooks/inbound, scoped to
 * the tenant (and to a portal session's lists), with bad input answered 400 naming the field.
 */
describe('inbound admin API', () => {
  let hooks: WebhooksTestApp;
  let http: App;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'postgres',
      appOptions: { rawBody: true },
      providers: [RecordingInboundHandler],
      options: {
        admin: { resolveTenant: (req) => String(req.headers[TENANT_HEADER] ?? 'default') },
        inbound: { retrySchedule: [100, 100] },
        delivery: { relayIntervalMs: 500 },
        portal: { signingKeys: [{ id: 'p1', secret: 'p'.repeat(32) }] },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  const admin = (tenant = 'acme') => ({
    get: (path: string) => request(http).get(path).set(TENANT_HEADER, tenant),
    post: (path: string, body?: object) =>
      request(http).post(path).set(TENANT_HEADER, tenant).send(body),
    patch: (path: string, body: object) =>
      request(http).patch(path).set(TENANT_HEADER, tenant).send(body),
    delete: (path: string) => request(http).delete(path).set(TENANT_HEADER, tenant),
  });

  it('creates, reads, pages, updates, rotates and deletes endpoints, within the tenant only', async () => {
    const created = await admin('pager')
      .post('/webhooks/inbound', { scheme: 'github', listId: '42', name: 'Repo' })
      .expect(201);
    expect(created.body).toMatchObject({ scheme: 'github', listId: '42', name: 'Repo' });
    expect(created.body.secret).toEqual(expect.any(String));
    expect(created.body.path).toMatch(/^\/webhooks\/in\/[A-Za-z0-9_-]{32}$/);
    expect(created.body.path).not.toContain(created.body.id);
    expect(created.body.tenantId).toBeUndefined();
    const { id } = created.body;

    const read = await admin('pager').get(`/webhooks/inbound/${id}`).expect(200);
    expect(read.body.secret).toBeUndefined();
    await admin('pager')
      .get(`/webhooks/inbound/${id}/secret`)
      .expect(200, { secret: created.body.secret });
    for (const path of [
      `/webhooks/inbound/${id}`,
      `/webhooks/inbound/${id}/secret`,
      `/webhooks/inbound/${id}/events`,
    ]) {
      await admin('intruder').get(path).expect(404);
    }
    await admin('intruder').patch(`/webhooks/inbound/${id}`, { name: 'mine' }).expect(404);
    await admin('intruder').post(`/webhooks/inbound/${id}/rotate-secret`).expect(404);
    await admin('intruder').delete(`/webhooks/inbound/${id}`).expect(404);

    const ids = [id];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (await admin('pager').post('/webhooks/inbound', { scheme: 'typeform' }).expect(201)).body
          .id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: { data: Array<{ id: string }>; nextCursor: string | null } } =
        await admin('pager')
          .get('/webhooks/inbound')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
      seen.push(...body.data.map((endpoint: { id: string }) => endpoint.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const byList = await admin('pager')
      .get('/webhooks/inbound')
      .query({ listId: '42' })
      .expect(200);
    expect(byList.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual([id]);

    const patched = await admin('pager')
      .patch(`/webhooks/inbound/${id}`, { name: 'Renamed', listId: null })
      .expect(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', listId: null, scheme: 'github' });

    const rotated = await admin('pager').post(`/webhooks/inbound/${id}/rotate-secret`).expect(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now());

    await admin('pager').delete(`/webhooks/inbound/${id}`).expect(204);
    await admin('pager').get(`/webhooks/inbound/${id}`).expect(404);
    await request(http).post(created.body.path).send('{}').expect(404);
  });

  it('lets a portal session limited to lists reach the endpoints of its lists only', async () => {
    const portal = hooks.app.get(WebhooksPortal);
    const session = (readOnly = false) => ({
      authorization: `Bearer ${portal.createSession({ tenantId: 'portal', lists: [{ id: 'news', name: 'News' }], readOnly }).token}`,
    });
    const tenantWide = await createEndpoint(hooks, 'portal', { scheme: 'github' });
    const otherList = await createEndpoint(hooks, 'portal', { scheme: 'github', listId: 'shop' });
    const mine = await request(http)
      .post('/webhooks/inbound')
      .set(session())
      .send({ scheme: 'github', listId: 'news' })
      .expect(201);
    for (const body of [{ scheme: 'github' }, { scheme: 'github', listId: 'shop' }]) {
      const refused = await request(http)
        .post('/webhooks/inbound')
        .set(session())
        .send(body)
        .expect(403);
      expect(refused.body.code).toBe('portal_list_not_in_session');
    }
    await request(http)
      .patch(`/webhooks/inbound/${mine.body.id}`)
      .set(session())
      .send({ listId: 'shop' })
      .expect(403);
    const listed = await request(http).get('/webhooks/inbound').set(session()).expect(200);
    expect(listed.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual([mine.body.id]);
    for (const other of [tenantWide, otherList]) {
      await request(http).get(`/webhooks/inbound/${other.id}`).set(session()).expect(404);
      await request(http).delete(`/webhooks/inbound/${other.id}`).set(session()).expect(404);
    }
    await request(http)
      .get(`/webhooks/inbound/${mine.body.id}/secret`)
      .set(session(true))
      .expect(403);
    await request(http).get(`/webhooks/inbound/${mine.body.id}`).set(session(true)).expect(200);
  });

  it('accepts the previous secret during the rotation grace period', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'token' });
    const { body } = await admin()
      .post(`/webhooks/inbound/${endpoint.id}/rotate-secret`)
      .expect(200);
    for (const token of [endpoint.secret, body.secret]) {
      await postInbound(http, endpoint.path, `{"token":"${token.slice(0, 4)}"}`, {
        'x-webhook-token': token,
      }).expect(200);
    }
  });

  it.each([
    ['an unknown scheme', { scheme: 'carrier-pigeon' }, 'scheme must be one of'],
    ['a stripe endpoint without its secret', { scheme: 'stripe' }, 'secret is required'],
    ['hmac without its header', { scheme: 'hmac' }, 'settings.header'],
    [
      'an hmac algorithm',
      { scheme: 'hmac', settings: { header: 'X-Sig', algorithm: 'md5' } },
      'settings.algorithm',
    ],
    [
      'a setting that is not a string',
      { scheme: 'token', settings: { header: 1 } },
      'settings.header',
    ],
    ['a list id with a slash', { scheme: 'github', listId: 'a/b' }, 'listId'],
    ['a short secret', { scheme: 'github', secret: 'short' }, 'secret'],
    [
      'a standard-webhooks secret that is not base64',
      { scheme: 'standard-webhooks', secret: 'not base64 at all!' },
      'secret must be whsec_',
    ],
    ['an unknown field', { scheme: 'github', url: 'https://x' }, 'property url'],
    [
      'nested settings',
      { scheme: 'token', settings: { header: { deep: 'x' } } },
      'settings.header',
    ],
    ['settings as a string', { scheme: 'token', settings: 'X-Token' }, 'settings'],
    ['a NUL in the name', { scheme: 'github', name: 'a\u0000b' }, 'name'],
    [
      'a __proto__ key in the settings',
      JSON.parse('{"scheme":"token","settings":{"__proto__":{"header":"x"}}}') as object,
      '__proto__',
    ],
    ['a null body', null, ''],
  ])('refuses %s with 400 naming the field', async (_, body, field) => {
    const answer = await admin()
      .post('/webhooks/inbound', body ?? undefined)
      .set('content-type', 'application/json')
      .expect(400);
    expect(answer.body.message.join(' ')).toContain(field);
  });

  it('refuses bad ids, cursors and filters with 400 naming the field', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'github' });
    const cases: Array<[string, string]> = [
      ['/webhooks/inbound/not-a-uuid', 'id'],
      ['/webhooks/inbound?cursor=bm9wZQ', 'cursor'],
      ['/webhooks/inbound?limit=0', 'limit'],
      [`/webhooks/inbound/${endpoint.id}/events?status=lost`, 'status'],
      [`/webhooks/inbound/${endpoint.id}/events/nope`, 'eventId'],
    ];
    for (const [path, field] of cases) {
      const answer = await admin().get(path).expect(400);
      expect({ path, message: answer.body.message.join(' ') }).toEqual({
        path,
        message: expect.stringContaining(field),
      });
    }
    await admin().patch(`/webhooks/inbound/${endpoint.id}`, {}).expect(400);
  });
});
