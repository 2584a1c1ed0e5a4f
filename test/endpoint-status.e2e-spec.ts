import request from 'supertest';
import { emitContactUpdate, endpointHarness } from './support/endpoint-harness';
import { eventually } from './support/eventually';
import { watchVerifications } from './support/queue-jobs';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';

describe.each(TEST_DATABASES)('endpoint status on %s', (database) => {
  describe('pause and resume', () => {
    const get = endpointHarness(database, {});

    it('holds deliveries while paused and sends them all on resume', async () => {
      const { hooks, http, receiver } = get();
      const subscription = await createSubscription(hooks, 'pause', {
        url: receiver.url('/pause'),
        events: ['contact.updated'],
      });
      await request(http)
        .patch(`/lists/pause/webhooks/${subscription.id}`)
        .send({ status: 'paused' })
        .expect(200);
      for (let n = 0; n < 3; n++) await emitContactUpdate(hooks, 'pause', n);
      await eventually(
        async () => {
          const { data } = await listDeliveries(hooks, 'pause', subscription.id, {
            status: 'held',
          });
          return data.length === 3 || undefined;
        },
        { what: 'three held deliveries' },
      );
      expect(receiver.received('/pause')).toHaveLength(0);

      await request(http)
        .patch(`/lists/pause/webhooks/${subscription.id}`)
        .send({ status: 'active' })
        .expect(200);
      const received = await receiver.waitFor(3, { path: '/pause' });
      expect(
        received.map((r) => (JSON.parse(r.body) as { data: { n: number } }).data.n).sort(),
      ).toEqual([0, 1, 2]);
    });
  });

  describe('endpoint ownership handshake', () => {
    const get = endpointHarness(database, { endpoints: { verifyOnCreate: true } });

    it('activates a subscription only once its endpoint echoes the challenge, then sends what it held', async () => {
      const { hooks, http, receiver, status } = get();
      let echo = false;
      receiver.respondWith((request, response) => {
        const body = JSON.parse(request.body) as { type: string; data: { challenge?: string } };
        if (body.type === 'webhook.verification' && echo) {
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ challenge: body.data.challenge }));
        } else response.writeHead(200).end('ok');
      });
      const verifications = watchVerifications(hooks.queue);
      const subscription = await createSubscription(hooks, 'verify', {
        url: receiver.url('/verify'),
        events: ['contact.updated'],
      });
      expect(subscription.status).toBe('pending_verification');
      const [challenge] = await receiver.waitFor(1, { path: '/verify' });
      expect(JSON.parse(challenge.body)).toMatchObject({
        type: 'webhook.verification',
        data: { challenge: expect.any(String) },
      });
      // The verification job ends once the answer was judged (and acted on).
      await verifications.ended(subscription.id);
      verifications.stop();
      expect((await status(subscription.id)).status).toBe('pending_verification');

      await emitContactUpdate(hooks, 'verify', 42);
      await request(http)
        .patch(`/lists/verify/webhooks/${subscription.id}`)
        .send({ status: 'active' })
        .expect(409);

      echo = true;
      const verified = await request(http)
        .post(`/lists/verify/webhooks/${subscription.id}/verify`)
        .expect(200);
      expect(verified.body).toMatchObject({ delivered: true, status: 'active' });
      const deliveries = await receiver.waitFor(3, { path: '/verify' });
      expect(JSON.parse(deliveries[2].body)).toMatchObject({
        type: 'contact.updated',
        data: { n: 42 },
      });
    });

    it('asks a changed URL to prove ownership again', async () => {
      const { hooks, http, receiver, status } = get();
      receiver.respondWith((request, response) => {
        const body = JSON.parse(request.body) as { data: { challenge?: string } };
        response.writeHead(200).end(body.data.challenge ?? '');
      });
      const subscription = await createSubscription(hooks, 'moved', {
        url: receiver.url('/first'),
        events: ['contact.updated'],
      });
      await eventually(async () => (await status(subscription.id)).status === 'active', {
        what: 'verified',
      });
      const moved = await request(http)
        .patch(`/lists/moved/webhooks/${subscription.id}`)
        .send({ url: receiver.url('/second') })
        .expect(200);
      expect(moved.body.status).toBe('pending_verification');
      await eventually(async () => (await status(subscription.id)).status === 'active', {
        what: 're-verified',
      });
      expect(receiver.received('/second')).toHaveLength(1);
    });
  });
});
