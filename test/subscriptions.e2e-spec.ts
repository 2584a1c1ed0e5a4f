import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import {
  InvalidSubscriptionError,
  UnknownEventTypeError,
  WebhookSubscriptionsService,
  type UpdateSubscriptionDto,
} from 'nestjs-marketing-webhooks';
import { TEST_DATABASES } from './support/services';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const TENANT_HEADER = 'x-tenant';
const resolveTenant = (req: { headers: Record<string, string | string[] | undefined> }) =>
  String(req.headers[TENANT_HEADER] ?? 'default');

const validBody = { url: 'https://hooks.example.com/in', events: ['contact.subscribed'] };

describe.each(TEST_DATABASES)('subscriptions admin API on %s', (database) => {
  let hooks: WebhooksTestApp;
  let http: App;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database,
      options: {
        // Names resolve to a public address without DNS; nothing here sends.
        security: { allowPrivateNetworks: false, resolveHost: async () => ['93.184.216.34'] },
        admin: { resolveTenant },
        eventTypes: [{ type: 'contact.tagged', description: 'A tag was added to a contact.' }],
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  const create = (listId: string, body: object = validBody, tenant = 'acme') =>
    request(http).post(`/lists/${listId}/webhooks`).set(TENANT_HEADER, tenant).send(body);

  it('lists the event catalogue and the sources', async () => {
    const { body } = await request(http).get('/webhooks/event-types').expect(200);
    expect(body.sources).toEqual(['contact', 'admin', 'api', 'system']);
    expect(body.eventTypes).toContainEqual({
      type: 'contact.tagged',
      description: 'A tag was added to a contact.',
    });
    expect(body.eventTypes).toContainEqual(expect.objectContaining({ type: 'campaign.bounced' }));
  });

  it('creates, reads, updates and deletes a subscription', async () => {
    const created = await create('news', {
      ...validBody,
      events: ['contact.subscribed', 'contact.tagged'],
      sources: ['api'],
      name: 'CRM',
      description: 'Sync new subscribers',
    }).expect(201);
    const { id, secret } = created.body;
    expect(created.body).toMatchObject({
      listId: 'news',
      status: 'active',
      sources: ['api'],
      name: 'CRM',
    });
    expect(created.body.tenantId).toBeUndefined();

    const read = await request(http)
      .get(`/lists/news/webhooks/${id}`)
      .set(TENANT_HEADER, 'acme')
      .expect(200);
    expect(read.body.secret).toBeUndefined();
    expect(read.body.events).toEqual(['contact.subscribed', 'contact.tagged']);
    const revealed = await request(http)
      .get(`/lists/news/webhooks/${id}/secret`)
      .set(TENANT_HEADER, 'acme')
      .expect(200);
    expect(revealed.body).toEqual({ secret });

    const patched = await request(http)
      .patch(`/lists/news/webhooks/${id}`)
      .set(TENANT_HEADER, 'acme')
      .send({ url: 'https://other.example.com/hook', status: 'paused', sources: ['api', 'admin'] })
      .expect(200);
    expect(patched.body).toMatchObject({
      url: 'https://other.example.com/hook',
      status: 'paused',
      sources: ['api', 'admin'],
      name: 'CRM',
    });

    await request(http).delete(`/lists/news/webhooks/${id}`).set(TENANT_HEADER, 'acme').expect(204);
    await request(http).get(`/lists/news/webhooks/${id}`).set(TENANT_HEADER, 'acme').expect(404);
  });

  it('pages through subscriptions with a cursor, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await create('paged', { ...validBody, name: `hook ${i}` }).expect(201)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: '2', ...(cursor ? { cursor } : {}) };
      const { body } = await request(http)
        .get('/lists/paged/webhooks')
        .set(TENANT_HEADER, 'acme')
        .query(query)
        .expect(200);
      seen.push(
        ...body.data.map((subscription: { id: string; secret?: string }) => {
          expect(subscription.secret).toBeUndefined();
          return subscription.id;
        }),
      );
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('answers 404 for a subscription of another list or another tenant, and never leaks it', async () => {
    const { body } = await create('private', validBody, 'acme').expect(201);
    for (const [path, tenant] of [
      [`/lists/other/webhooks/${body.id}`, 'acme'],
      [`/lists/private/webhooks/${body.id}`, 'globex'],
    ]) {
      await request(http).get(path).set(TENANT_HEADER, tenant).expect(404);
      await request(http).get(`${path}/secret`).set(TENANT_HEADER, tenant).expect(404);
      await request(http).get(`${path}/deliveries`).set(TENANT_HEADER, tenant).expect(404);
      await request(http)
        .patch(path)
        .set(TENANT_HEADER, tenant)
        .send({ name: 'stolen' })
        .expect(404);
      await request(http).delete(path).set(TENANT_HEADER, tenant).expect(404);
    }
    const list = await request(http)
      .get('/lists/private/webhooks')
      .set(TENANT_HEADER, 'globex')
      .expect(200);
    expect(list.body.data).toEqual([]);
    const intact = await request(http)
      .get(`/lists/private/webhooks/${body.id}`)
      .set(TENANT_HEADER, 'acme')
      .expect(200);
    expect(intact.body.name).toBeNull();
  });

  it('applies the same rules to subscriptions created from code', async () => {
    const service = hooks.app.get(WebhookSubscriptionsService);
    const scope = { tenantId: 'acme', listId: 'code' };
    const bad = service.create(scope, {
      url: 'ftp://example.com',
      events: [],
    });
    await expect(bad).rejects.toBeInstanceOf(InvalidSubscriptionError);
    await expect(bad).rejects.toThrow(
      /url must be an absolute http or https URL; events should not be empty/,
    );
    await expect(
      service.create(scope, { ...validBody, events: ['nope.nope'] }),
    ).rejects.toBeInstanceOf(UnknownEventTypeError);
    const created = await service.create(scope, validBody);
    await expect(
      service.update(scope, created.id, {
        status: 'disabled',
      } as unknown as UpdateSubscriptionDto),
    ).rejects.toThrow(/status must be one of/);
    expect((await service.list(scope)).data.map((subscription) => subscription.id)).toEqual([
      created.id,
    ]);
  });

  describe('bad input', () => {
    let existing: { id: string; url: string };
    beforeAll(async () => {
      existing = (await create('strict', { ...validBody, name: 'keep me' }).expect(201)).body;
    });

    it.each([
      ['a relative url', { ...validBody, url: '/hook' }, 'url'],
      ['an ftp url', { ...validBody, url: 'ftp://example.com/x' }, 'url'],
      ['a loopback url', { ...validBody, url: 'http://127.0.0.1:8080/x' }, 'url'],
      ['a cloud metadata url', { ...validBody, url: 'http://169.254.169.254/latest' }, 'url'],
      ['a missing url', { events: validBody.events }, 'url'],
      ['an unknown event type', { ...validBody, events: ['contact.exploded'] }, 'events'],
      ['empty events', { ...validBody, events: [] }, 'events'],
      ['events of the wrong type', { ...validBody, events: [42] }, 'events'],
      ['an unknown source', { ...validBody, sources: ['robot'] }, 'sources'],
      ['an oversized name', { ...validBody, name: 'x'.repeat(5000) }, 'name'],
      [
        'a huge events array',
        { ...validBody, events: Array(1000).fill('contact.subscribed') },
        'events',
      ],
      ['an extra field', { ...validBody, secret: 'whsec_mine' }, 'secret'],
      ['a non-object body', [1, 2, 3], 'url'],
    ])('refuses %s on create with a 400 naming the field', async (_label, body, field) => {
      const response = await create('strict', body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
      // Whichever check refused it (a DTO rule, the URL policy, the catalogue), the body has a code.
      expect(response.body.code).toMatch(/^[a-z_]+$/);
    });

    it.each([
      ['a loopback url', { url: 'http://localhost/x' }, 'url'],
      ['an unknown event type', { events: ['nope.nope'] }, 'events'],
      ['status disabled', { status: 'disabled' }, 'status'],
      ['a null name', { name: 42 }, 'name'],
      ['an extra field', { tenantId: 'globex' }, 'tenantId'],
    ])(
      'refuses %s on update, and leaves the subscription unchanged',
      async (_label, body, field) => {
        const response = await request(http)
          .patch(`/lists/strict/webhooks/${existing.id}`)
          .set(TENANT_HEADER, 'acme')
          .send(body);
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.body.message)).toContain(field);
        expect(response.body.code).toMatch(/^[a-z_]+$/);
        const after = await request(http)
          .get(`/lists/strict/webhooks/${existing.id}`)
          .set(TENANT_HEADER, 'acme')
          .expect(200);
        expect(after.body).toMatchObject({
          url: existing.url,
          name: 'keep me',
          status: 'active',
          events: validBody.events,
        });
      },
    );

    it.each([
      ['a malformed id', `/lists/strict/webhooks/not-a-uuid`, 'id'],
      ['a list id with odd characters', `/lists/${encodeURIComponent('a b')}/webhooks`, 'listId'],
      ['a list id that is too long', `/lists/${'l'.repeat(200)}/webhooks`, 'listId'],
      ['a zero limit', `/lists/strict/webhooks?limit=0`, 'limit'],
      ['a non-numeric limit', `/lists/strict/webhooks?limit=ten`, 'limit'],
      ['a limit over the maximum', `/lists/strict/webhooks?limit=1000`, 'limit'],
      ['a forged cursor', `/lists/strict/webhooks?cursor=bm90LWEtdXVpZA`, 'cursor'],
      ['an unknown query parameter', `/lists/strict/webhooks?sort=url`, 'sort'],
      [
        'an unknown delivery status',
        `/lists/strict/webhooks/{id}/deliveries?status=lost`,
        'status',
      ],
    ])('refuses %s on read with a 400 naming it', async (_label, path, field) => {
      const response = await request(http)
        .get(path.replace('{id}', existing.id))
        .set(TENANT_HEADER, 'acme');
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    });

    it('refuses malformed JSON and a wrong content type without a 5xx', async () => {
      const malformed = await request(http)
        .post('/lists/strict/webhooks')
        .set(TENANT_HEADER, 'acme')
        .set('content-type', 'application/json')
        .send('{"url": "https://x.example.com", "events": [');
      expect(malformed.status).toBe(400);
      const text = await request(http)
        .post('/lists/strict/webhooks')
        .set(TENANT_HEADER, 'acme')
        .set('content-type', 'text/plain')
        .send('url=https://x.example.com');
      expect(text.status).toBe(400);
      const { body } = await request(http)
        .get('/lists/strict/webhooks')
        .set(TENANT_HEADER, 'acme')
        .expect(200);
      expect(body.data).toHaveLength(1);
    });
  });
});

@Injectable()
class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined> }>();
    return req.headers['x-admin-key'] === 'let-me-in';
  }
}

describe('route prefix and host guards', () => {
  let hooks: WebhooksTestApp;
  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'sqlite',
      registration: 'forRootAsync',
      options: { admin: { guards: [ApiKeyGuard] } },
      extras: { routePrefix: '/admin/v1/' },
    });
  });
  afterAll(() => hooks.close());

  it('mounts the admin routes under the prefix and runs the guards first', async () => {
    const http = hooks.app.getHttpServer() as App;
    await request(http).get('/webhooks/event-types').set('x-admin-key', 'let-me-in').expect(404);
    await request(http).get('/admin/v1/webhooks/event-types').expect(403);
    await request(http).post('/admin/v1/lists/1/webhooks').send(validBody).expect(403);
    await request(http)
      .get('/admin/v1/webhooks/event-types')
      .set('x-admin-key', 'let-me-in')
      .expect(200);
    await request(http)
      .post('/admin/v1/lists/1/webhooks')
      .set('x-admin-key', 'let-me-in')
      .send(validBody)
      .expect(201);
  });
});
