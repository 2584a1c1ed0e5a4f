import { Registry } from 'prom-client';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_LIFECYCLE_EVENTS, WebhooksPortal } from 'nestjs-marketing-webhooks';
import { v7 as uuidv7 } from 'uuid';
import { eventually } from './support/eventually';
import { InboundEventStore, InboundPruner } from './support/internals';
import {
  createEndpoint,
  postInbound,
  RecordingInboundHandler,
  storedEvents,
} from './support/inbound';
import { LifecycleRecorder, lifecycleRecording } from './support/lifecycle-recorder';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** An event as the admin API lists it. */
interface EventView {
  id: string;
  status: string;
  attempts: number;
  lastError: string | null;
  body?: unknown;
}

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TENANT_HEADER = 'x-tenant';

function signed(id: string, payload: object) {
  const body = JSON.stringify(payload);
  const at = new Date();
  return {
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, at, body),
    },
  };
}

describe('inbound processing: durable, once, retried', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  let handler: RecordingInboundHandler;
  let lifecycle: LifecycleRecorder;
  const registry = new Registry();

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'postgres',
      appOptions: { rawBody: true },
      imports: lifecycleRecording.imports,
      providers: [RecordingInboundHandler, ...lifecycleRecording.providers],
      options: {
        admin: { resolveTenant: (req) => String(req.headers[TENANT_HEADER] ?? 'default') },
        inbound: { retrySchedule: [100, 100] },
        metrics: { registry, prefix: 'inbound_test_' },
        delivery: { relayIntervalMs: 500 },
        portal: { signingKeys: [{ id: 'p1', secret: 'p'.repeat(32) }] },
      },
    });
    http = hooks.app.getHttpServer() as App;
    handler = hooks.app.get(RecordingInboundHandler);
    lifecycle = hooks.app.get(LifecycleRecorder);
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
  const callsFor = (providerEventId: string) =>
    handler.seen.filter((event) => event.providerEventId === providerEventId);

  it('hands a verified event to the handler with its endpoint, tenant and list, once per provider id', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'standard-webhooks',
      secret: SECRET,
      listId: 'news',
    });
    const first = signed('msg_once', {
      type: 'contact.created',
      data: { email: 'ada@example.com' },
    });
    await postInbound(http, endpoint.path, first.body, first.headers).expect(200);
    // The provider sends it again (its retry, or a replay at its side): acknowledged, not stored again.
    await postInbound(http, endpoint.path, first.body, first.headers).expect(200);
    const [call] = await handler.waitForCalls(1);
    expect(call).toMatchObject({
      endpointId: endpoint.id,
      tenantId: 'acme',
      listId: 'news',
      provider: 'standard-webhooks',
      type: 'contact.created',
      providerEventId: 'msg_once',
      payload: { type: 'contact.created', data: { email: 'ada@example.com' } },
      body: first.body,
      attempt: 1,
    });
    const stored = await eventually(async () => {
      const rows = await storedEvents(hooks, endpoint.id);
      return rows.every((row) => row.status === 'processed') && rows;
    });
    expect(stored).toHaveLength(1);
    expect(callsFor('msg_once')).toHaveLength(1);
    expect(lifecycle.named(WEBHOOK_LIFECYCLE_EVENTS.inboundReceived)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ endpointId: endpoint.id, duplicate: false }),
        expect.objectContaining({ endpointId: endpoint.id, duplicate: true, eventId: null }),
      ]),
    );
  });

  it('retries a handler that fails twice, then it is processed once with its attempts visible', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'standard-webhooks',
      secret: SECRET,
    });
    handler.failWhen = (event) => event.providerEventId === 'msg_flaky' && event.attempt <= 2;
    const flaky = signed('msg_flaky', { type: 'contact.updated' });
    await postInbound(http, endpoint.path, flaky.body, flaky.headers).expect(200);
    const listed = await eventually(
      async () => {
        const { body }: { body: { data: EventView[] } } = await admin()
          .get(`/webhooks/inbound/${endpoint.id}/events`)
          .expect(200);
        return body.data[0]?.status === 'processed' && body;
      },
      { what: 'the event processed' },
    );
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ status: 'processed', attempts: 3, lastError: null });
    expect(listed.data[0].body).toBeUndefined();
    expect(callsFor('msg_flaky').map((call) => call.attempt)).toEqual([1, 2, 3]);
    expect(new Set(callsFor('msg_flaky').map((call) => call.id)).size).toBe(1);
    expect(lifecycle.named(WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed)).toContainEqual(
      expect.objectContaining({ endpointId: endpoint.id, attempts: 3 }),
    );
  });

  it('fails an event once the schedule has run out, shows why, and replays it on request', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'standard-webhooks',
      secret: SECRET,
    });
    let failing = true;
    handler.failWhen = (event) => event.providerEventId === 'msg_broken' && failing;
    const broken = signed('msg_broken', { type: 'contact.updated' });
    await postInbound(http, endpoint.path, broken.body, broken.headers).expect(200);
    const failed = await eventually(async () => {
      const { body }: { body: { data: EventView[] } } = await admin()
        .get(`/webhooks/inbound/${endpoint.id}/events`)
        .query({ status: 'failed' })
        .expect(200);
      return body.data[0];
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failed.lastError).toContain('refused attempt 3');
    expect(lifecycle.named(WEBHOOK_LIFECYCLE_EVENTS.inboundFailed)).toContainEqual(
      expect.objectContaining({ eventId: failed.id, attempts: 3 }),
    );

    failing = false;
    await admin()
      .post(`/webhooks/inbound/${endpoint.id}/events/${failed.id}/replay`)
      .expect(202, { eventId: failed.id });
    const replayed = await eventually(async () => {
      const { body }: { body: EventView } = await admin()
        .get(`/webhooks/inbound/${endpoint.id}/events/${failed.id}`)
        .expect(200);
      return body.status === 'processed' && body;
    });
    expect(replayed).toMatchObject({ attempts: 1, lastError: null });
    expect(callsFor('msg_broken')).toHaveLength(4);
  });

  it('reads the raw body from the stream when no parser took it, and refuses bodies over the limit', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'token',
      settings: { header: 'X-Hook-Token' },
    });
    const text = 'plain text: no body parser reads this content type';
    await request(http)
      .post(endpoint.path)
      .set({ 'content-type': 'text/plain', 'x-hook-token': endpoint.secret })
      .send(text)
      .expect(200);
    await request(http)
      .post(endpoint.path)
      .set({ 'content-type': 'text/plain', 'x-hook-token': 'wrong' })
      .send(text)
      .expect(401);
    await request(http)
      .post(endpoint.path)
      .set({ 'content-type': 'text/plain', 'x-hook-token': endpoint.secret })
      .send('x'.repeat(1024 * 1024 + 1))
      .expect(413);
    const stored = await storedEvents(hooks, endpoint.id);
    expect(stored.map((event) => event.body)).toEqual([text]);
    await request(http).post('/webhooks/in/no-such-endpoint-token-000').send('{}').expect(404);
  });

  it('counts received, duplicate, rejected, processed and failed requests', async () => {
    const metrics = await registry.metrics();
    for (const outcome of ['received', 'duplicate', 'rejected', 'too_large']) {
      expect(metrics).toMatch(
        new RegExp(
          `inbound_test_inbound_requests_total\\{outcome="${outcome}",scheme="[a-z-]+"\\} [1-9]`,
        ),
      );
    }
    for (const outcome of ['processed', 'retried', 'failed']) {
      expect(metrics).toMatch(
        new RegExp(
          `inbound_test_inbound_events_total\\{outcome="${outcome}",scheme="[a-z-]+"\\} [1-9]`,
        ),
      );
    }
  });

  describe('admin API', () => {
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

      const rotated = await admin('pager')
        .post(`/webhooks/inbound/${id}/rotate-secret`)
        .expect(200);
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
      expect(listed.body.data.map((endpoint: { id: string }) => endpoint.id)).toEqual([
        mine.body.id,
      ]);
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

  it('prunes settled events past retention, and keeps those still to be processed', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'token' });
    handler.failWhen = () => false;
    await postInbound(http, endpoint.path, '{"keep":false}', {
      'x-webhook-token': endpoint.secret,
    }).expect(200);
    await eventually(async () =>
      (await storedEvents(hooks, endpoint.id)).every((row) => row.status === 'processed'),
    );
    const pending = await hooks.app.get(InboundEventStore).insertIfNew({
      id: uuidv7(),
      endpointId: endpoint.id,
      tenantId: 'acme',
      listId: null,
      scheme: 'token',
      dedupKey: 'id:not-due-for-a-year',
      providerEventId: null,
      type: null,
      headers: {},
      body: '{"keep":true}',
      nextAttemptAt: new Date(Date.now() + 365 * 86_400_000),
      receivedAt: new Date(),
    });
    expect(pending).toBe(true);
    const pruner = hooks.app.get(InboundPruner);
    expect(await pruner.prune(new Date())).toBe(0);
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await pruner.prune(later)).toBeGreaterThan(0);
    expect((await storedEvents(hooks, endpoint.id)).map((row) => row.body)).toEqual([
      '{"keep":true}',
    ]);
  });
});
