import request from 'supertest';
import type { App } from 'supertest/types';
import { ALL_LISTS, InvalidWebhookEventError } from 'nestjs-marketing-webhooks';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const tenant = (id: string) => ({ 'x-tenant': id });

/** Subscriptions to every list of a tenant, present and future: `/lists/*\/webhooks` (issue 21). */
describe.each(TEST_DATABASES)('all-lists subscriptions on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      options: {
        admin: { resolveTenant: (req) => String(req.headers['x-tenant']) },
        limits: { maxSubscriptionsPerList: 2 },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it("delivers events of every list of its tenant, lists created later included, and no other tenant's", async () => {
    const everyList = await createSubscription(
      hooks,
      ALL_LISTS,
      { url: receiver.url('/all'), events: ['contact.subscribed'] },
      tenant('acme'),
    );
    expect(everyList.listId).toBe('*');
    const oneList = await createSubscription(
      hooks,
      'newsletter',
      { url: receiver.url('/one'), events: ['contact.subscribed'] },
      tenant('acme'),
    );
    // A list the platform creates after the subscription, and the same list id in another tenant.
    const later = await hooks.webhooks.emit({
      tenantId: 'acme',
      listId: `created-later-${database}`,
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'later@example.com' },
    });
    const both = await hooks.webhooks.emit({
      tenantId: 'acme',
      listId: 'newsletter',
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'both@example.com' },
    });
    const otherTenant = await hooks.webhooks.emit({
      tenantId: 'globex',
      listId: 'newsletter',
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'globex@example.com' },
    });
    expect(later.deliveryIds).toHaveLength(1);
    expect(both.deliveryIds).toHaveLength(2);
    expect(otherTenant.deliveryIds).toEqual([]);

    const arrived = await receiver.waitFor(2, { path: '/all' });
    expect(
      arrived.map((request) => (JSON.parse(request.body) as { listId: string }).listId).sort(),
    ).toEqual([`created-later-${database}`, 'newsletter'].sort());
    await waitForDelivery(hooks, 'newsletter', oneList.id, 'succeeded', tenant('acme'));
    const log = await listDeliveries(hooks, ALL_LISTS, everyList.id, {}, tenant('acme'));
    const eventIds = log.data.map(
      (delivery) => (delivery as unknown as { eventId: string }).eventId,
    );
    expect(eventIds.sort()).toEqual([later.eventId, both.eventId].sort());
  });

  it('keeps all-lists subscriptions to their tenant and counts them against their own limit', async () => {
    await request(http)
      .get(`/lists/*/webhooks`)
      .set(tenant('globex'))
      .expect(200)
      .expect(({ body }) => {
        expect(body.data).toEqual([]);
      });
    await createSubscription(
      hooks,
      ALL_LISTS,
      { url: receiver.url('/x'), events: ['contact.updated'] },
      tenant('limit'),
    );
    await createSubscription(
      hooks,
      ALL_LISTS,
      { url: receiver.url('/x'), events: ['contact.updated'] },
      tenant('limit'),
    );
    const third = await request(http)
      .post('/lists/*/webhooks')
      .set(tenant('limit'))
      .send({ url: receiver.url('/x'), events: ['contact.updated'] })
      .expect(409);
    expect(third.body.code).toBe('limit_exceeded');
  });

  it('refuses an event for the all-lists scope itself', async () => {
    await expect(
      hooks.webhooks.emit({ listId: ALL_LISTS, type: 'contact.updated', source: 'api', data: {} }),
    ).rejects.toThrow(InvalidWebhookEventError);
  });
});
