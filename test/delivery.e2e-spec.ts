import request from 'supertest';
import { verifyWebhook, type WebhookSubscriptionView } from 'nestjs-marketing-webhooks';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
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
      const created = await request(hooks.app.getHttpServer())
        .post('/lists/42/webhooks')
        .send({ url: receiver.url('/signed'), events: ['contact.subscribed'], name: 'CRM sync' })
        .expect(201);
      const subscription = created.body as WebhookSubscriptionView & { secret: string };
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
      const body = JSON.parse(delivery.body) as Record<string, unknown>;
      expect(body).toEqual({
        id: eventId,
        type: 'contact.subscribed',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
        source: 'api',
        listId: '42',
        data,
      });
      expect(() => verifyWebhook('whsec_' + Buffer.from('wrong-secret-wrong').toString('base64'), delivery.body, delivery.headers)).toThrow();

      const page = await waitForDeliveryStatus(hooks, subscription.id, 'succeeded');
      expect(page.attempts).toHaveLength(1);
      expect(page.attempts[0]).toMatchObject({ attemptNumber: 1, statusCode: 204, errorKind: null });
    });
  });
});

async function waitForDeliveryStatus(hooks: WebhooksTestApp, subscriptionId: string, status: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await request(hooks.app.getHttpServer())
      .get(`/lists/42/webhooks/${subscriptionId}/deliveries`)
      .expect(200);
    const [delivery] = (response.body as { data: Array<{ status: string; attempts: Array<Record<string, unknown>> }> }).data;
    if (delivery?.status === status) return delivery;
    if (Date.now() > deadline) throw new Error(`delivery never reached ${status}: ${JSON.stringify(delivery)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

