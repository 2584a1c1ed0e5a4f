import { Registry } from 'prom-client';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_LIFECYCLE_EVENTS } from 'nestjs-marketing-webhooks';
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
    await lifecycle.waitFor(
      WEBHOOK_LIFECYCLE_EVENTS.inboundProcessed,
      (event) => event.endpointId === endpoint.id && event.attempts === 3,
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
    await lifecycle.waitFor(
      WEBHOOK_LIFECYCLE_EVENTS.inboundFailed,
      (event) => event.eventId === failed.id && event.attempts === 3,
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
