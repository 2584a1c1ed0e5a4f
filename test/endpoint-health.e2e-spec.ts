import request from 'supertest';
import { WEBHOOK_LIFECYCLE_EVENTS } from 'nestjs-marketing-webhooks';
// Internal: the batched health writes are checked directly in one test.
import { EndpointHealthRecorder } from '../libs/webhooks/src/delivery/endpoint-health-recorder';
import { emitContactUpdate, endpointHarness } from './support/endpoint-harness';
import { eventually } from './support/eventually';
import { deliveriesSettled } from './support/queue-jobs';
import { TEST_DATABASES } from './support/services';
import { createSubscription, waitForDelivery } from './support/subscriptions';

describe.each(TEST_DATABASES)('endpoint health on %s', (database) => {
  describe('receiver answers', () => {
    const get = endpointHarness(database, {
      retries: { schedule: [30_000], maxRetryAfterMs: 5_000 },
    });

    it('disables the subscription at once on 410 Gone and tells the host', async () => {
      const { hooks, receiver, recorder, status } = get();
      receiver.respondWith((_request, response) => response.writeHead(410).end());
      const subscription = await createSubscription(hooks, 'gone', {
        url: receiver.url('/gone'),
        events: ['contact.updated'],
      });
      await emitContactUpdate(hooks, 'gone');
      await waitForDelivery(hooks, 'gone', subscription.id, 'exhausted');
      // The attempt is recorded first, the subscription disabled right after.
      await eventually(async () => (await status(subscription.id)).status === 'disabled', {
        what: 'disabled by 410',
      });
      const stored = await status(subscription.id);
      expect(stored).toMatchObject({
        status: 'disabled',
        disabledReason: 'receiver answered 410 Gone',
      });
      const ofIt = (event: { subscriptionId: string }) => event.subscriptionId === subscription.id;
      expect(
        await recorder.waitFor(WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled, ofIt),
      ).toMatchObject({ listId: 'gone', reason: 'receiver answered 410 Gone' });
      expect(receiver.received('/gone')).toHaveLength(1);
      expect(await recorder.waitFor(WEBHOOK_LIFECYCLE_EVENTS.deliveryExhausted, ofIt)).toEqual(
        expect.objectContaining({
          attempts: 1,
          lastStatusCode: 410,
          eventType: 'contact.updated',
        }),
      );
      receiver.respondWith((_request, response) => response.writeHead(204).end());
    });

    it('keeps the health of endpoints that fail and recover together', async () => {
      const { hooks, receiver, status } = get();
      receiver.respondWith((request, response) =>
        response.writeHead(request.path.startsWith('/crowd/') ? 500 : 204).end(),
      );
      const subscriptions: Array<{ id: string }> = [];
      for (let n = 0; n < 12; n++) {
        subscriptions.push(
          await createSubscription(hooks, 'crowd', {
            url: receiver.url(`/crowd/${n}`),
            events: ['contact.updated'],
          }),
        );
      }
      const health = async () =>
        Promise.all(
          subscriptions.map(async ({ id }) => {
            const { consecutiveFailures, failingSince, lastSuccessAt } = await status(id);
            return { consecutiveFailures, failing: failingSince !== null, lastSuccessAt };
          }),
        );
      await Promise.all([
        emitContactUpdate(hooks, 'crowd', 1),
        emitContactUpdate(hooks, 'crowd', 2),
      ]);
      await eventually(async () => (await health()).every((row) => row.consecutiveFailures === 2), {
        what: 'two failures counted for each endpoint',
      });
      expect(await health()).toEqual(
        subscriptions.map(() => ({ consecutiveFailures: 2, failing: true, lastSuccessAt: null })),
      );

      receiver.respondWith((_request, response) => response.writeHead(204).end());
      await emitContactUpdate(hooks, 'crowd', 3);
      await eventually(async () => (await health()).every((row) => row.lastSuccessAt !== null), {
        what: 'a success stamped on each endpoint',
      });
      expect(await health()).toEqual(
        subscriptions.map(() => ({
          consecutiveFailures: 0,
          failing: false,
          lastSuccessAt: expect.any(Date),
        })),
      );
    });

    it('writes outcomes of one endpoint that share a batch in the order they happened', async () => {
      const { hooks, receiver, status } = get();
      const { id } = await createSubscription(hooks, 'batched', {
        url: receiver.url('/batched'),
        events: ['contact.updated'],
      });
      // White-box: outcomes submitted in one tick are written by one flush.
      const health = hooks.app.get(EndpointHealthRecorder);
      const row = await status(id);
      const record = (succeeded: boolean) => health.record(row, succeeded, new Date());
      await Promise.all([record(false), record(false), record(false)]);
      expect(await status(id)).toMatchObject({
        consecutiveFailures: 3,
        failingSince: expect.any(Date),
        lastSuccessAt: null,
      });
      await Promise.all([record(true), record(false)]);
      expect(await status(id)).toMatchObject({
        consecutiveFailures: 1,
        failingSince: expect.any(Date),
        lastSuccessAt: expect.any(Date),
      });
    });

    it('honours Retry-After on 503 instead of the (long) schedule', async () => {
      const { hooks, receiver } = get();
      let calls = 0;
      receiver.respondWith((_request, response) => {
        calls++;
        if (calls === 1) response.writeHead(503, { 'retry-after': '1' }).end();
        else response.writeHead(200).end();
      });
      const subscription = await createSubscription(hooks, 'busy', {
        url: receiver.url('/busy'),
        events: ['contact.updated'],
      });
      await emitContactUpdate(hooks, 'busy');
      const [first, second] = await receiver.waitFor(2, { path: '/busy', timeoutMs: 8_000 });
      const gap = second.receivedAt - first.receivedAt;
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThan(5_000);
      await waitForDelivery(hooks, 'busy', subscription.id, 'succeeded');
    });

    it('treats a redirect as a failure and never follows it', async () => {
      const { hooks, receiver } = get();
      receiver.respondWith((request, response) => {
        if (request.path === '/moved')
          response.writeHead(301, { location: receiver.url('/target') }).end();
        else response.writeHead(204).end();
      });
      const subscription = await createSubscription(hooks, 'moved', {
        url: receiver.url('/moved'),
        events: ['contact.updated'],
      });
      await emitContactUpdate(hooks, 'moved');
      const delivery = await waitForDelivery(hooks, 'moved', subscription.id, 'failed');
      expect(delivery.attempts[0]).toMatchObject({ statusCode: 301, errorKind: 'http_status' });
      // An attempt is recorded once its request ended: a followed redirect would have reached
      // /target before that.
      expect(receiver.received('/target')).toHaveLength(0);
    });
  });

  describe('auto-disable and self-healing', () => {
    const get = endpointHarness(database, {
      retries: { schedule: [50, 50, 50] },
      endpoints: { autoDisableAfterMs: 0, autoDisableMinFailures: 3, probeDisabledEveryMs: 700 },
    });

    it('disables after sustained failure, re-enables over REST only after a successful test ping', async () => {
      const { hooks, http, receiver, recorder, status } = get();
      receiver.respondWith((request, response) =>
        response.writeHead(request.path === '/flaky' ? 500 : 204).end(),
      );
      const subscription = await createSubscription(hooks, 'heal', {
        url: receiver.url('/flaky'),
        events: ['contact.updated'],
      });
      const {
        deliveryIds: [inFlight],
      } = await emitContactUpdate(hooks, 'heal', 1);
      await eventually(async () => (await status(subscription.id)).status === 'disabled', {
        what: 'auto-disable',
      });
      const disabled = await status(subscription.id);
      expect(disabled.disabledReason).toMatch(/every delivery failed .* at least 3 attempts/);
      expect(disabled.consecutiveFailures).toBeGreaterThanOrEqual(3);
      await recorder.waitFor(
        WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled,
        (event) => event.subscriptionId === subscription.id,
      );

      const whileDisabled = await emitContactUpdate(hooks, 'heal', 2);
      expect(whileDisabled.deliveryIds).toEqual([]);
      const refused = await request(http)
        .patch(`/lists/heal/webhooks/${subscription.id}`)
        .send({ status: 'active' });
      expect(refused.status).toBe(409);
      expect(JSON.stringify(refused.body.message)).toContain('test');
      const paused = await request(http)
        .patch(`/lists/heal/webhooks/${subscription.id}`)
        .send({ status: 'paused' });
      expect(paused.status).toBe(409);

      const failing = await request(http)
        .post(`/lists/heal/webhooks/${subscription.id}/test`)
        .expect(200);
      expect(failing.body.delivered).toBe(false);
      await request(http)
        .patch(`/lists/heal/webhooks/${subscription.id}`)
        .send({ status: 'active' })
        .expect(409);

      receiver.respondWith((_request, response) => response.writeHead(204).end());
      const passing = await request(http)
        .post(`/lists/heal/webhooks/${subscription.id}/test`)
        .expect(200);
      expect(passing.body.delivered).toBe(true);
      const enabled = await request(http)
        .patch(`/lists/heal/webhooks/${subscription.id}`)
        .send({ status: 'active' })
        .expect(200);
      expect(enabled.body).toMatchObject({
        status: 'active',
        disabledReason: null,
        consecutiveFailures: 0,
      });
      expect(recorder.named(WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled)).toContainEqual(
        expect.objectContaining({ subscriptionId: subscription.id, via: 'owner' }),
      );
      // The delivery in flight when it was disabled was held and goes out now; the event emitted
      // while disabled was never queued for it.
      const bodies = () =>
        receiver
          .received('/flaky')
          .map((r) => JSON.parse(r.body) as { type: string; data: { n?: number } });
      await eventually(
        () =>
          bodies().some((body) => body.data.n === 1 && body.type === 'contact.updated') &&
          bodies().length >= 6,
        {
          what: 'the held delivery',
        },
      );
      // Its last attempt recorded, and no delivery of event 2: nothing more can come.
      const [held] = await deliveriesSettled(hooks, [inFlight]);
      expect(held).toMatchObject({ status: 'succeeded', attempts: 4 });
      expect(bodies().filter((body) => body.data.n === 1)).toHaveLength(4);
      expect(bodies().filter((body) => body.data.n === 2)).toHaveLength(0);
    });

    it('probes disabled endpoints and re-enables those that answer again', async () => {
      const { hooks, receiver, recorder, status } = get();
      receiver.respondWith((request, response) =>
        response.writeHead(request.path === '/comeback' ? 410 : 204).end(),
      );
      const subscription = await createSubscription(hooks, 'probe', {
        url: receiver.url('/comeback'),
        events: ['contact.updated'],
      });
      await emitContactUpdate(hooks, 'probe');
      await eventually(async () => (await status(subscription.id)).status === 'disabled', {
        what: 'disabled by 410',
      });

      receiver.respondWith((_request, response) => response.writeHead(204).end());
      await eventually(async () => (await status(subscription.id)).status === 'active', {
        what: 're-enabled by the probe',
      });
      await recorder.waitFor(
        WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled,
        (event) => event.subscriptionId === subscription.id && event.via === 'probe',
      );
      const probes = receiver
        .received('/comeback')
        .filter((r) => (JSON.parse(r.body) as { type: string }).type === 'webhook.test');
      expect(probes.length).toBeGreaterThanOrEqual(1);
    });
  });
});
