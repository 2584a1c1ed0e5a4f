import { verifyWebhook, type WebhookEventSource } from 'nestjs-marketing-webhooks';
import { deliveriesSettled } from './support/queue-jobs';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type Registration, type WebhooksTestApp } from './support/webhooks-app';

const REGISTRATIONS: Registration[] = ['forRoot', 'forRootAsync'];

describe.each(TEST_DATABASES)('delivery on %s', (database) => {
  describe.each(REGISTRATIONS)('registered with %s', (registration) => {
    let hooks: WebhooksTestApp;
    let receiver: TestReceiver;

    beforeAll(async () => {
      receiver = await TestReceiver.start();
      hooks = await createWebhooksApp({ database, registration });
    });
    afterAll(async () => {
      await hooks.close();
      await receiver.close();
    });

    it('delivers a signed event to a subscription created over REST', async () => {
      const subscription = await createSubscription(hooks, '42', {
        url: receiver.url('/signed'),
        events: ['contact.subscribed'],
        name: 'CRM sync',
      });
      expect(subscription.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/);
      expect(subscription.sources).toEqual(['contact', 'admin', 'api', 'system']);

      const data = { contact: { id: 7, email: 'ada@example.com' } };
      const { eventId, deliveryIds } = await hooks.webhooks.emit({
        listId: 42,
        type: 'contact.subscribed',
        source: 'api',
        data,
      });
      expect(deliveryIds).toHaveLength(1);

      const [delivery] = await receiver.waitFor(1, { path: '/signed' });
      const verified = verifyWebhook(subscription.secret, delivery.body, delivery.headers);
      expect(verified.id).toBe(deliveryIds[0]);
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(JSON.parse(delivery.body)).toEqual({
        id: eventId,
        type: 'contact.subscribed',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        source: 'api',
        listId: '42',
        data,
      });
      const wrongSecret = `whsec_${Buffer.from('not-the-right-secret-at-all').toString('base64')}`;
      expect(() => verifyWebhook(wrongSecret, delivery.body, delivery.headers)).toThrow();

      const stored = await waitForDelivery(hooks, '42', subscription.id, 'succeeded');
      expect(stored.attemptCount).toBe(1);
      expect(stored.attempts).toEqual([
        expect.objectContaining({ attemptNumber: 1, statusCode: 204, errorKind: null }),
      ]);
    });
  });

  describe('filters and retries', () => {
    const acme = { 'x-tenant': 'acme' };
    let hooks: WebhooksTestApp;
    let receiver: TestReceiver;

    beforeAll(async () => {
      receiver = await TestReceiver.start();
      hooks = await createWebhooksApp({
        database,
        options: { admin: { resolveTenant: (req) => String(req.headers['x-tenant']) } },
      });
    });
    afterAll(async () => {
      await hooks.close();
      await receiver.close();
    });

    it('delivers exactly to the subscriptions whose tenant, list, type and source match', async () => {
      const subscribe = (
        path: string,
        listId: string,
        events: string[],
        sources?: WebhookEventSource[],
        tenant = acme,
      ) => createSubscription(hooks, listId, { url: receiver.url(path), events, sources }, tenant);
      await subscribe('/api-only', '1', ['contact.subscribed'], ['api']);
      await subscribe('/contact-only', '1', ['contact.subscribed'], ['contact']);
      await subscribe('/all-sources', '1', ['contact.subscribed', 'campaign.clicked']);
      await subscribe('/clicks', '1', ['campaign.clicked']);
      await subscribe('/other-list', '2', ['contact.subscribed']);
      await subscribe('/other-tenant', '1', ['contact.subscribed'], undefined, {
        'x-tenant': 'globex',
      });

      const deliveryIds: string[] = [];
      const emit = async (type: string, source: WebhookEventSource, listId = '1') => {
        const result = await hooks.webhooks.emit({
          tenantId: 'acme',
          listId,
          type,
          source,
          data: { n: receiver.requests.length },
        });
        deliveryIds.push(...result.deliveryIds);
      };
      await emit('contact.subscribed', 'api');
      await emit('contact.subscribed', 'contact');
      await emit('contact.subscribed', 'system');
      await emit('campaign.clicked', 'contact');
      await emit('contact.unsubscribed', 'api');
      await emit('contact.subscribed', 'admin', '3');

      // Fan-out happens in the emit's write: these are all the deliveries there will be. Once each
      // is recorded as succeeded, nothing else can reach the receiver.
      expect(deliveryIds).toHaveLength(7);
      await deliveriesSettled(hooks, deliveryIds);
      const count = (path: string) => receiver.received(path).length;
      expect({
        apiOnly: count('/api-only'),
        contactOnly: count('/contact-only'),
        allSources: count('/all-sources'),
        clicks: count('/clicks'),
        otherList: count('/other-list'),
        otherTenant: count('/other-tenant'),
      }).toEqual({
        apiOnly: 1,
        contactOnly: 1,
        allSources: 4,
        clicks: 1,
        otherList: 0,
        otherTenant: 0,
      });
      const sources = receiver
        .received('/all-sources')
        .map((r) => JSON.parse(r.body).source as string);
      expect(sources.sort()).toEqual(['api', 'contact', 'contact', 'system']);
    });

    it('retries a failing receiver with the same webhook-id until it succeeds', async () => {
      let calls = 0;
      receiver.respondWith((_request, response) => {
        calls++;
        response.writeHead(calls === 1 ? 500 : 200).end(calls === 1 ? 'database is down' : 'ok');
      });
      const subscription = await createSubscription(
        hooks,
        'retry',
        { url: receiver.url('/flaky'), events: ['campaign.sent'] },
        acme,
      );
      await hooks.webhooks.emit({
        tenantId: 'acme',
        listId: 'retry',
        type: 'campaign.sent',
        source: 'system',
        data: {},
      });

      const [first, second] = await receiver.waitFor(2, { path: '/flaky' });
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(140);
      verifyWebhook(subscription.secret, second.body, second.headers);

      const delivery = await waitForDelivery(hooks, 'retry', subscription.id, 'succeeded', acme);
      expect(
        delivery.attempts.map((a) => [
          a.attemptNumber,
          a.statusCode,
          a.errorKind,
          a.responseExcerpt,
        ]),
      ).toEqual([
        [1, 500, 'http_status', 'database is down'],
        [2, 200, null, 'ok'],
      ]);
      receiver.respondWith((_request, response) => response.writeHead(204).end());
    });

    it('marks a delivery exhausted once the schedule is used up, keeping every attempt', async () => {
      receiver.respondWith((_request, response) => response.writeHead(503).end('x'.repeat(10_000)));
      const subscription = await createSubscription(
        hooks,
        'dead',
        { url: receiver.url('/dead'), events: ['campaign.sent'] },
        acme,
      );
      await hooks.webhooks.emit({
        tenantId: 'acme',
        listId: 'dead',
        type: 'campaign.sent',
        source: 'system',
        data: {},
      });

      const delivery = await waitForDelivery(hooks, 'dead', subscription.id, 'exhausted', acme);
      expect(delivery.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);
      expect(delivery.attempts[0].responseExcerpt).toHaveLength(4096);
      // Not due and no job left for it: no fourth request can come.
      await deliveriesSettled(hooks, [delivery.id]);
      expect(receiver.received('/dead')).toHaveLength(3);
      const failedOnly = await listDeliveries(
        hooks,
        'dead',
        subscription.id,
        { status: 'succeeded' },
        acme,
      );
      expect(failedOnly.data).toEqual([]);
      receiver.respondWith((_request, response) => response.writeHead(204).end());
    });

    it('records connection errors as attempts and retries them', async () => {
      const gone = await TestReceiver.start();
      const url = gone.url('/gone');
      await gone.close();
      const subscription = await createSubscription(
        hooks,
        'refused',
        { url, events: ['campaign.sent'] },
        acme,
      );
      await hooks.webhooks.emit({
        tenantId: 'acme',
        listId: 'refused',
        type: 'campaign.sent',
        source: 'system',
        data: {},
      });
      const delivery = await waitForDelivery(hooks, 'refused', subscription.id, 'exhausted', acme);
      expect(delivery.attempts.map((a) => [a.statusCode, a.errorKind])).toEqual([
        [null, 'connection'],
        [null, 'connection'],
        [null, 'connection'],
      ]);
    });
  });
});
