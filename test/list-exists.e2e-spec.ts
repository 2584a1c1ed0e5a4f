import request from 'supertest';
import type { App } from 'supertest/types';
import {
  ALL_LISTS,
  DEFAULT_TENANT_ID,
  ListNotFoundError,
  WebhookSubscriptionsService,
} from 'nestjs-marketing-webhooks';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const HOOK = { url: 'http://127.0.0.1:9/hook', events: ['contact.subscribed'] };

/** `admin.listExists`: the host says which lists a tenant has; subscriptions go to those only. */
describe('subscriptions to the lists the host has', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  const asked: string[] = [];

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: {
        worker: false,
        admin: {
          listExists: (tenantId, listId) => {
            asked.push(`${tenantId}/${listId}`);
            return Promise.resolve(listId === 'newsletter');
          },
        },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());
  beforeEach(() => asked.splice(0));

  it('refuses a list the host does not have with a 404, and stores nothing', async () => {
    const response = await request(http).post('/lists/gone/webhooks').send(HOOK).expect(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'list_not_found',
      message: ['list gone not found'],
    });
    expect(asked).toEqual([`${DEFAULT_TENANT_ID}/gone`]);
    const listed = await request(http).get('/lists/gone/webhooks').expect(200);
    expect(listed.body.data).toEqual([]);
  });

  it('subscribes to a list the host has', async () => {
    const created = await request(http).post('/lists/newsletter/webhooks').send(HOOK).expect(201);
    expect(created.body).toMatchObject({ listId: 'newsletter', url: HOOK.url });
    expect(asked).toEqual([`${DEFAULT_TENANT_ID}/newsletter`]);
  });

  it('does not ask for the all-lists scope', async () => {
    await request(http).post(`/lists/${ALL_LISTS}/webhooks`).send(HOOK).expect(201);
    expect(asked).toEqual([]);
  });

  it('applies the same rule from code, after validating the input', async () => {
    const service = hooks.app.get(WebhookSubscriptionsService);
    const scope = { tenantId: DEFAULT_TENANT_ID, listId: 'gone' };
    await expect(service.create(scope, HOOK)).rejects.toBeInstanceOf(ListNotFoundError);
    await expect(service.create(scope, { ...HOOK, events: [] })).rejects.toThrow(
      /events should not be empty/,
    );
    expect(asked).toEqual([`${DEFAULT_TENANT_ID}/gone`]);
  });
});
