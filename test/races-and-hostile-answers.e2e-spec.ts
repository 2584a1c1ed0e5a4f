import { parse } from 'qs';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DeliveryRelay } from '../libs/webhooks/src/delivery/delivery-relay';
import { deliveriesInQueue, watchVerifications } from './support/queue-jobs';
import { WebhookSubscription } from './support/internals';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** Regressions found in review: concurrent edits racing workers, and receivers answering oddly. */
describe.each(TEST_DATABASES)('races and hostile answers on %s', (database) => {
  let hooks: WebhooksTestApp;
  let http: App;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      options: {
        endpoints: { verifyOnCreate: true },
        delivery: { relayIntervalMs: 200 },
        retries: { schedule: [] },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });
  const stored = (id: string) =>
    hooks.dataSource.getRepository(WebhookSubscription).findOneByOrFail({ id });

  it('does not activate a re-pointed URL with the answer of the endpoint verified before', async () => {
    const echoAfter = (ms: number) =>
      receiver.respondWith((req, res) => {
        const { data } = JSON.parse(req.body) as { data: { challenge?: string } };
        setTimeout(() => res.writeHead(200).end(JSON.stringify({ challenge: data.challenge })), ms);
      });
    echoAfter(800);
    const verifications = watchVerifications(hooks.queue);
    const subscription = await createSubscription(hooks, 'race', {
      url: receiver.url('/attacker'),
      events: ['contact.updated'],
    });
    await receiver.waitFor(1, { path: '/attacker' });
    receiver.respondWith((_req, res) => res.writeHead(500).end());
    await request(http)
      .patch(`/lists/race/webhooks/${subscription.id}`)
      .send({ url: receiver.url('/victim') })
      .expect(200);
    // Both verifications ended: the late echo of /attacker was judged, and so was /victim's 500.
    await verifications.ended(subscription.id, 2);
    verifications.stop();
    expect(await stored(subscription.id)).toMatchObject({
      status: 'pending_verification',
      url: receiver.url('/victim'),
    });
  });

  it('stores answers containing NUL bytes, and refuses NUL in input', async () => {
    receiver.respondWith((_req, res) =>
      res.writeHead(200).end(Buffer.from([0x1f, 0x8b, 0x00, 0x41, 0x00])),
    );
    const subscription = await createSubscription(hooks, 'nul', {
      url: receiver.url('/nul'),
      events: ['contact.updated'],
    });
    const ping = await request(http).post(`/lists/nul/webhooks/${subscription.id}/test`);
    expect(ping.status).toBe(200);
    expect(ping.body.delivered).toBe(true);
    // The endpoint verification (verifyEndpointOnCreate) runs in the background and may be listed
    // first, its attempt still under way: every attempt recorded so far is checked, the ping's at least.
    const { data } = await listDeliveries(hooks, 'nul', subscription.id);
    const excerpts = data.flatMap((delivery) => delivery.attempts.map((a) => a.responseExcerpt));
    expect(excerpts.length).toBeGreaterThan(0);
    for (const excerpt of excerpts) expect(excerpt).not.toContain('\u0000');
    const bad = await request(http)
      .patch(`/lists/nul/webhooks/${subscription.id}`)
      .send({ name: 'a\u0000b' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(['name must not contain NUL characters']);
  });

  it.each(['events', 'sources', 'payloadFormat', 'url'])(
    'refuses PATCH with %s: null instead of failing in the database',
    async (field) => {
      receiver.respondWith((_req, res) => res.writeHead(204).end());
      const subscription = await createSubscription(hooks, 'nulls', {
        url: receiver.url('/nulls'),
        events: ['contact.updated'],
      });
      const response = await request(http)
        .patch(`/lists/nulls/webhooks/${subscription.id}`)
        .send({ [field]: null });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    },
  );

  it('answers 200 to one of 20 concurrent rotations, whose secret is the one in force', async () => {
    const subscription = await createSubscription(hooks, 'rotate-crowd', {
      url: receiver.url('/r'),
      events: ['contact.updated'],
    });
    const path = `/lists/rotate-crowd/webhooks/${subscription.id}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(http).post(`${path}/rotate-secret`)),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(19);
    const { body } = await request(http).get(`${path}/secret`).expect(200);
    expect(winners[0].body.secret).toBe(body.secret);
    // The secret before keeps its grace period: it was not replaced by a secret that never signed.
    expect(await stored(subscription.id)).toMatchObject({ previousSecret: subscription.secret });
  });
});

describe('form payloads and slow direct sends', () => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: { delivery: { relayIntervalMs: 100 }, retries: { schedule: [] } },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  it('cannot be given extra top-level form fields through keys inside data', async () => {
    await createSubscription(hooks, 'inject', {
      url: receiver.url('/inject'),
      events: ['contact.updated'],
      payloadFormat: 'form',
    } as Parameters<typeof createSubscription>[2]);
    await hooks.webhooks.emit({
      listId: 'inject',
      type: 'contact.updated',
      source: 'api',
      data: { fields: { 'Fav color&type=campaign.bounced&x': 'red' } },
    });
    const [delivery] = await receiver.waitFor(1, { path: '/inject' });
    const parsed = parse(delivery.body);
    expect(parsed.type).toBe('contact.updated');
    expect(new URLSearchParams(delivery.body).getAll('type')).toEqual(['contact.updated']);
    expect(parsed.data).toEqual({ fields: { 'Fav color&type=campaign.bounced&x': 'red' } });
  });

  it('sends a slow test ping once: the relay never picks up a direct send in flight', async () => {
    // While the ping is in flight, a relay run as late as can be must not offer it: no job for it,
    // and no second request (a job that ran already would have sent it before it ended).
    let offeredWhileInFlight: boolean | undefined;
    receiver.respondWith((req, res) => {
      void (async () => {
        if (offeredWhileInFlight === undefined) {
          await hooks.app.get(DeliveryRelay).relay(new Date(Date.now() + 3_600_000));
          const queued = await deliveriesInQueue(hooks.queue);
          offeredWhileInFlight =
            queued.has(String(req.headers['webhook-id'])) || receiver.received('/slow').length > 1;
        }
        res.writeHead(204).end();
      })();
    });
    const subscription = await createSubscription(hooks, 'slow-ping', {
      url: receiver.url('/slow'),
      events: ['contact.updated'],
    });
    await request(hooks.app.getHttpServer() as App)
      .post(`/lists/slow-ping/webhooks/${subscription.id}/test`)
      .expect(200);
    expect(offeredWhileInFlight).toBe(false);
    expect(receiver.received('/slow')).toHaveLength(1);
    const delivery = await waitForDelivery(hooks, 'slow-ping', subscription.id, 'succeeded');
    expect(delivery.attempts.map((attempt) => attempt.trigger)).toEqual(['test']);
  });
});
