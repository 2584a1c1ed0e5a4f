import { ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import request from 'supertest';
import { InvalidSubscriptionError, WebhookSubscriptionsService } from 'nestjs-marketing-webhooks';
import type { App } from 'supertest/types';
import { createSubscription, type CreatedSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const url = 'http://127.0.0.1:9/in';

/** `"field": [[[…1…]]]` nested `depth` times, as raw JSON (too deep for JSON.stringify's recursion). */
function nested(field: string, depth: number, open = '[', close = ']'): string {
  return `"${field}":${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** Admin input the probe of issue 18 answered 500 to: each answer is a 4xx naming the problem. */
describe('hostile admin input', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  let subscription: CreatedSubscription;

  beforeAll(async () => {
    hooks = await createWebhooksApp({ database: 'sqlite' });
    http = hooks.app.getHttpServer() as App;
    subscription = await createSubscription(hooks, 'hostile', {
      url,
      events: ['contact.updated'],
    });
  });
  afterAll(() => hooks.close());

  const send = (method: 'post' | 'patch', path: string, json: string) =>
    request(http)[method](path).set('content-type', 'application/json').send(json);

  describe('deeply nested bodies', () => {
    const one = () => `/lists/hostile/webhooks/${subscription.id}`;
    const routes: Array<[string, string, 'post' | 'patch', () => string, string]> = [
      [
        'create',
        'headers',
        'post',
        () => '/lists/hostile/webhooks',
        `"url":"${url}","events":["contact.updated"],`,
      ],
      ['update', 'headers', 'patch', one, ''],
      ['update', 'name', 'patch', one, ''],
      ['recover', 'since', 'post', () => `${one()}/recover`, ''],
    ];

    it.each(routes)(
      '%s: %s nested 50,000 arrays deep is a 400 naming it',
      async (_, field, method, path, rest) => {
        const response = await send(method, path(), `{${rest}${nested(field, 50_000)}}`);
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.body.message)).toContain(field);
        expect(JSON.stringify(response.body.message)).toContain('deep');
        expect(response.body.code).toBe('invalid_request');
      },
    );

    it.each(routes)(
      '%s: %s nested 15,000 objects deep is a 400 naming it',
      async (_, field, method, path, rest) => {
        const response = await send(
          method,
          path(),
          `{${rest}${nested(field, 15_000, '{"a":', '}')}}`,
        );
        expect(response.status).toBe(400);
        expect(JSON.stringify(response.body.message)).toContain(field);
      },
    );

    it('refuses the same from code, through the service', async () => {
      let headers: unknown = 'x';
      for (let i = 0; i < 100_000; i++) headers = { a: headers };
      const created = hooks.app.get(WebhookSubscriptionsService).create(
        { tenantId: 'default', listId: 'hostile' },
        {
          url,
          events: ['contact.updated'],
          headers: headers as Record<string, string>,
        },
      );
      await expect(created).rejects.toThrow(InvalidSubscriptionError);
      await expect(created).rejects.toThrow('headers is nested too deep');
    });

    it('still accepts the nesting a body really has', async () => {
      await request(http)
        .patch(one())
        .send({ headers: { 'X-Team': 'growth' }, events: ['contact.updated'] })
        .expect(200);
    });
  });

  describe('recover since', () => {
    const recover = (since: unknown) =>
      request(http).post(`/lists/hostile/webhooks/${subscription.id}/recover`).send({ since });

    it.each([
      '2020-W01-1',
      '2020-060',
      '20200101',
      '20200101T000000Z',
      '2020-01-01T00:00:00,5Z',
      '2020-01-01T00Z',
      '2020-02-30',
      '2020-01-01T24:00:00Z',
    ])('refuses %s, which it cannot read as a time, with a 400 naming since', async (since) => {
      const response = await recover(since);
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual([expect.stringContaining('since must be')]);
    });

    it.each([
      '2020-01-01',
      '2020-01-01T00:00Z',
      '2020-01-01T00:00:00Z',
      '2020-01-01T00:00:00.5Z',
      '2020-01-01T00:00:00.123456+02:00',
      '2020-01-01T00:00:00-05:30',
    ])('accepts %s', async (since) => {
      await recover(since).expect(202);
    });
  });

  describe('text a database would not store as sent', () => {
    it.each([
      ['name', '{"name":"Ada \\ud800"}'],
      ['description', '{"description":"\\udc00 alone"}'],
      ['headers.X-Token', '{"headers":{"X-Token":"a\\ud800b"}}'],
    ])('%s with a lone surrogate is a 400 naming it, and nothing changes', async (field, json) => {
      const path = `/lists/hostile/webhooks/${subscription.id}`;
      const before = await request(http).get(path);
      const response = await send('patch', path, json);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
      expect(JSON.stringify(response.body.message)).toContain('well-formed Unicode');
      expect((await request(http).get(path)).body).toEqual(before.body);
    });

    it('refuses the same from code, through the service', async () => {
      const created = hooks.app
        .get(WebhookSubscriptionsService)
        .create(
          { tenantId: 'default', listId: 'hostile' },
          { url, events: ['contact.updated'], name: 'Ada \ud800' },
        );
      await expect(created).rejects.toThrow(InvalidSubscriptionError);
      await expect(created).rejects.toThrow('name must be well-formed Unicode');
    });
  });
});

/**
 * A host's own global ValidationPipe runs before the library's: class-transformer would drop
 * prototype keys silently and recurse through any depth. The library checks the body as parsed.
 */
describe('hostile admin input behind a host’s global ValidationPipe', () => {
  let hooks: WebhooksTestApp;
  let http: App;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'sqlite',
      providers: [
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({
            whitelist: true,
            forbidNonWhitelisted: true,
            transform: true,
          }),
        },
      ],
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  const create = (json: string) =>
    request(http)
      .post('/lists/hosted/webhooks')
      .set('content-type', 'application/json')
      .send(`{"url":"${url}","events":["contact.updated"],${json}}`);

  it.each([
    ['__proto__', '"__proto__":{"admin":true}'],
    ['headers.__proto__', '"headers":{"__proto__":{"x":"1"}}'],
    ['headers', nested('headers', 50_000)],
    ['name', '"name":"\\ud800"'],
  ])('%s: a 400 naming it, nothing created', async (field, json) => {
    const response = await create(json);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toContain(field);
    expect((await request(http).get('/lists/hosted/webhooks')).body.data).toEqual([]);
  });

  it('still creates a subscription from a valid body', async () => {
    const response = await create('"name":"Ada Lovelace ✓"');
    expect(response.status).toBe(201);
    expect(response.body.name).toBe('Ada Lovelace ✓');
  });
});
