import request from 'supertest';
import type { App } from 'supertest/types';
import { verifyWebhook, WebhookVerificationError } from 'nestjs-marketing-webhooks';
import { WebhookDelivery } from './support/internals';
import { eventually } from './support/eventually';
import { deliveriesInQueue } from './support/queue-jobs';
import { sleep, TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const ROTATION_GRACE_MS = 1_500;
const acme = { 'x-tenant': 'acme' };

describe.each(TEST_DATABASES)('delivery operations on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let http: App;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    hooks = await createWebhooksApp({
      database,
      options: {
        admin: { resolveTenant: (req) => String(req.headers['x-tenant'] ?? 'default') },
        security: { secretRotationGraceMs: ROTATION_GRACE_MS },
        retries: { schedule: [100] },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });
  afterEach(() => receiver.respondWith((_request, response) => response.writeHead(204).end()));

  const emit = (listId: string) =>
    hooks.webhooks.emit({
      tenantId: 'acme',
      listId,
      type: 'contact.updated',
      source: 'api',
      data: { listId },
    });

  it('sends a test event synchronously and logs the attempt', async () => {
    const subscription = await createSubscription(
      hooks,
      'ping',
      { url: receiver.url('/ping'), events: ['contact.updated'] },
      acme,
    );
    const ok = await request(http)
      .post(`/lists/ping/webhooks/${subscription.id}/test`)
      .set(acme)
      .expect(200);
    expect(ok.body).toEqual({ delivered: true, statusCode: 204, durationMs: expect.any(Number) });
    const [ping] = receiver.received('/ping');
    expect(JSON.parse(ping.body)).toMatchObject({
      type: 'webhook.test',
      source: 'admin',
      listId: 'ping',
    });
    verifyWebhook(subscription.secret, ping.body, ping.headers);

    receiver.respondWith((_request, response) => response.writeHead(418).end('teapot'));
    const failed = await request(http)
      .post(`/lists/ping/webhooks/${subscription.id}/test`)
      .set(acme)
      .expect(200);
    expect(failed.body).toMatchObject({
      delivered: false,
      statusCode: 418,
      error: 'receiver answered 418',
    });

    const { data } = await listDeliveries(hooks, 'ping', subscription.id, {}, acme);
    expect(data.map((delivery) => [delivery.status, delivery.attempts[0].statusCode])).toEqual([
      ['exhausted', 418],
      ['succeeded', 204],
    ]);
  });

  it('redelivers a delivery with the same webhook-id, whatever its state', async () => {
    const subscription = await createSubscription(
      hooks,
      'again',
      { url: receiver.url('/again'), events: ['contact.updated'] },
      acme,
    );
    await emit('again');
    const delivered = await waitForDelivery(hooks, 'again', subscription.id, 'succeeded', acme);

    const response = await request(http)
      .post(`/lists/again/webhooks/${subscription.id}/deliveries/${delivered.id}/redeliver`)
      .set(acme)
      .expect(202);
    expect(response.body).toEqual({ deliveryId: delivered.id, attempt: 2, merged: false });
    const [first, second] = await receiver.waitFor(2, { path: '/again' });
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);

    const after = await eventually(async () => {
      const [delivery] = (await listDeliveries(hooks, 'again', subscription.id, {}, acme)).data;
      return delivery.attempts.length === 2 ? delivery : undefined;
    });
    expect(after.attempts.map((attempt) => [attempt.attemptNumber, attempt.trigger])).toEqual([
      [1, 'scheduled'],
      [2, 'redelivery'],
    ]);
  });

  it('merges concurrent redeliveries into one attempt, and says so', async () => {
    const subscription = await createSubscription(
      hooks,
      'again-crowd',
      { url: receiver.url('/again-crowd'), events: ['contact.updated'] },
      acme,
    );
    await emit('again-crowd');
    const delivered = await waitForDelivery(
      hooks,
      'again-crowd',
      subscription.id,
      'succeeded',
      acme,
    );
    // Attempt 2 is held in flight until every answer is in: an attempt that ended would make the next
    // redelivery a third attempt, rightly.
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    receiver.respondWith(
      (_request, response) => void held.then(() => response.writeHead(204).end()),
    );
    const path = `/lists/again-crowd/webhooks/${subscription.id}/deliveries/${delivered.id}/redeliver`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => request(http).post(path).set(acme)),
    );
    release();
    const bodies = answers.map((answer) => answer.body as { attempt: number; merged: boolean });
    expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(202));
    expect(bodies.map((body) => body.attempt)).toEqual(Array(50).fill(2));
    expect(bodies.filter((body) => !body.merged)).toHaveLength(1);
    expect(bodies.filter((body) => body.merged)).toHaveLength(49);
    const after = await eventually(async () => {
      const [delivery] = (await listDeliveries(hooks, 'again-crowd', subscription.id, {}, acme))
        .data;
      return delivery.status === 'succeeded' && delivery.attempts.length === 2
        ? delivery
        : undefined;
    });
    expect(after.attemptCount).toBe(2);
  });

  it('recovers every failed or exhausted delivery since a time', async () => {
    receiver.respondWith((_request, response) => response.writeHead(500).end());
    const subscription = await createSubscription(
      hooks,
      'recover',
      { url: receiver.url('/recover'), events: ['contact.updated'] },
      acme,
    );
    const before = new Date(Date.now() - 1_000).toISOString();
    await emit('recover');
    await emit('recover');
    await eventually(async () => {
      const { data } = await listDeliveries(
        hooks,
        'recover',
        subscription.id,
        { status: 'exhausted' },
        acme,
      );
      return data.length === 2 || undefined;
    });
    receiver.respondWith((_request, response) => response.writeHead(200).end());

    const future = await request(http)
      .post(`/lists/recover/webhooks/${subscription.id}/recover`)
      .set(acme)
      .send({ since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.status).toBe(400);
    const none = await request(http)
      .post(`/lists/recover/webhooks/${subscription.id}/recover`)
      .set(acme)
      .send({ since: new Date().toISOString() })
      .expect(202);
    expect(none.body).toEqual({ requeued: 0 });

    const recovered = await request(http)
      .post(`/lists/recover/webhooks/${subscription.id}/recover`)
      .set(acme)
      .send({ since: before })
      .expect(202);
    expect(recovered.body).toEqual({ requeued: 2 });
    await eventually(async () => {
      const { data } = await listDeliveries(
        hooks,
        'recover',
        subscription.id,
        { status: 'succeeded' },
        acme,
      );
      return data.length === 2 || undefined;
    });
  });

  it('rotates the secret: both signatures verify during the grace period, then only the new one', async () => {
    const subscription = await createSubscription(
      hooks,
      'rotate',
      { url: receiver.url('/rotate'), events: ['contact.updated'] },
      acme,
    );
    const oldSecret = subscription.secret;
    const rotated = await request(http)
      .post(`/lists/rotate/webhooks/${subscription.id}/rotate-secret`)
      .set(acme)
      .expect(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    await emit('rotate');
    const [during] = await receiver.waitFor(1, { path: '/rotate' });
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(newSecret, during.body, during.headers).id).toBe(
      during.headers['webhook-id'],
    );
    expect(verifyWebhook(oldSecret, during.body, during.headers).id).toBe(
      during.headers['webhook-id'],
    );

    await sleep(ROTATION_GRACE_MS + 200);
    await emit('rotate');
    const [, after] = await receiver.waitFor(2, { path: '/rotate' });
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => verifyWebhook(newSecret, after.body, after.headers)).not.toThrow();
    expect(() => verifyWebhook(oldSecret, after.body, after.headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('scopes every operation by tenant and list, and validates its input', async () => {
    const subscription = await createSubscription(
      hooks,
      'owned',
      { url: receiver.url('/owned'), events: ['contact.updated'] },
      acme,
    );
    await emit('owned');
    const delivery = await waitForDelivery(hooks, 'owned', subscription.id, 'succeeded', acme);
    const received = receiver.received('/owned').length;
    const base = `/lists/owned/webhooks/${subscription.id}`;
    const intruders = [
      { path: base, tenant: { 'x-tenant': 'globex' } },
      { path: `/lists/elsewhere/webhooks/${subscription.id}`, tenant: acme },
    ];
    for (const { path, tenant } of intruders) {
      await request(http).post(`${path}/test`).set(tenant).expect(404);
      await request(http)
        .post(`${path}/deliveries/${delivery.id}/redeliver`)
        .set(tenant)
        .expect(404);
      await request(http)
        .post(`${path}/recover`)
        .set(tenant)
        .send({ since: '2020-01-01T00:00:00Z' })
        .expect(404);
      await request(http).post(`${path}/rotate-secret`).set(tenant).expect(404);
      await request(http).post(`${path}/verify`).set(tenant).expect(404);
    }
    // Test pings and verifications are sent before the answer; redeliveries and recoveries would
    // have changed the delivery and queued a job. Neither happened, so nothing can still be sent.
    expect(
      await hooks.dataSource
        .getRepository(WebhookDelivery)
        .findBy({ subscriptionId: subscription.id }),
    ).toEqual([expect.objectContaining({ id: delivery.id, status: 'succeeded', attempts: 1 })]);
    await eventually(async () => !(await deliveriesInQueue(hooks.queue)).has(delivery.id), {
      what: 'no job left for the delivery',
    });
    expect(receiver.received('/owned')).toHaveLength(received);
    const secret = await request(http).get(`${base}/secret`).set(acme).expect(200);
    expect(secret.body.secret).toBe(subscription.secret);

    const other = await createSubscription(
      hooks,
      'owned',
      { url: receiver.url('/other'), events: ['contact.updated'] },
      acme,
    );
    await request(http)
      .post(`/lists/owned/webhooks/${other.id}/deliveries/${delivery.id}/redeliver`)
      .set(acme)
      .expect(404);
    await request(http)
      .post(`${base}/deliveries/00000000-0000-7000-8000-000000000000/redeliver`)
      .set(acme)
      .expect(404);

    for (const [body, field] of [
      [{}, 'since'],
      [{ since: 'yesterday' }, 'since'],
      [{ since: 1700000000 }, 'since'],
      [{ since: '2026-01-01T00:00:00Z', extra: 1 }, 'extra'],
    ] as const) {
      const response = await request(http).post(`${base}/recover`).set(acme).send(body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
    const badDelivery = await request(http).post(`${base}/deliveries/nope/redeliver`).set(acme);
    expect(badDelivery.status).toBe(400);
    expect(JSON.stringify(badDelivery.body.message)).toContain('deliveryId');
    const verifyActive = await request(http).post(`${base}/verify`).set(acme);
    expect(verifyActive.status).toBe(409);
  });
});
