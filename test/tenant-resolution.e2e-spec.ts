import { UnauthorizedException } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types';
import type { WebhooksAdminRequest } from 'nestjs-marketing-webhooks';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** What a host's resolver may return or throw, by the request's `x-tenant` header. */
function resolveTenant(req: WebhooksAdminRequest): string {
  const asked = String(req.headers['x-tenant']);
  if (asked === 'long') return 't'.repeat(129);
  if (asked.length === 128) return asked;
  if (asked === 'nul') return 'acme\u0000';
  if (asked === 'throws') throw new Error('session store unreachable');
  if (asked === 'unauthorized') throw new UnauthorizedException('log in first');
  return asked;
}

/** A tenant id the module cannot use, or a resolver that throws, is a clear 4xx on every route (issue 18). */
describe('tenant resolution', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  beforeAll(async () => {
    hooks = await createWebhooksApp({ database: 'sqlite', options: { admin: { resolveTenant } } });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  const routes = [
    [
      'create',
      () =>
        request(http)
          .post('/lists/t/webhooks')
          .send({ url: 'http://127.0.0.1:9/in', events: ['contact.updated'] }),
    ],
    ['list', () => request(http).get('/lists/t/webhooks')],
    ['get', () => request(http).get('/lists/t/webhooks/0190b1c4-0000-7000-8000-000000000000')],
    ['catalogue', () => request(http).get('/webhooks/event-types')],
  ] as const;

  describe.each(routes)('%s', (_, send) => {
    it.each(['long', 'nul'])(
      'answers 403 naming the problem when the tenant is %s',
      async (tenant) => {
        const response = await send().set('x-tenant', tenant);
        expect(response.status).toBe(403);
        expect(response.body.message).toMatch(/^tenant resolved for this request is invalid: /);
      },
    );

    it('answers 403 without the error when resolveTenant throws', async () => {
      const response = await send().set('x-tenant', 'throws');
      expect(response.status).toBe(403);
      expect(response.body.message).toBe('tenant could not be resolved for this request');
      expect(JSON.stringify(response.body)).not.toContain('session store');
    });

    it("passes the resolver's own HTTP exception through", async () => {
      const response = await send().set('x-tenant', 'unauthorized');
      expect(response.status).toBe(401);
      expect(response.body.message).toBe('log in first');
    });
  });

  it('accepts a tenant of 128 characters', async () => {
    await request(http)
      .post('/lists/t/webhooks')
      .set('x-tenant', 't'.repeat(128))
      .send({ url: 'http://127.0.0.1:9/in', events: ['contact.updated'] })
      .expect(201);
  });
});
