import request from 'supertest';
import type { App } from 'supertest/types';
import { In } from 'typeorm';
import { InvalidWebhookEventError, WebhooksErasureService } from 'nestjs-marketing-webhooks';
import {
  DeliveryRelay,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEvent,
  deliveryJobId,
} from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const HOUR = 3_600_000;

describe.each(TEST_DATABASES)('erasure of a subject on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    receiver.respondWith((received, response) =>
      received.path === '/down'
        ? response.writeHead(500).end(`boom: ${received.body}`)
        : response.writeHead(200).end(`thanks for ${received.body}`),
    );
    hooks = await createWebhooksApp({
      database,
      options: {
        admin: { resolveTenant: (req) => String(req.headers['x-tenant'] ?? 'default') },
        retries: { schedule: [HOUR] },
        delivery: { relayIntervalMs: 0 },
        retention: { pruneEveryMs: 0, batchSize: 1 },
      },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  const deliveriesOf = (eventIds: string[]) =>
    hooks.dataSource.manager.findBy(WebhookDelivery, { eventId: In(eventIds) });
  const attemptsOf = async (eventIds: string[]) =>
    hooks.dataSource.manager.findBy(WebhookAttempt, {
      deliveryId: In((await deliveriesOf(eventIds)).map((delivery) => delivery.id)),
    });

  it("redacts the subject's events and response excerpts in every tenant, and cancels what was not sent", async () => {
    const tenants = [
      { tenantId: 'acme', listId: 'contacts' },
      { tenantId: 'globex', listId: 'newsletter' },
    ];
    const subscriptions: Record<string, string> = {};
    for (const { tenantId, listId } of tenants) {
      for (const path of ['/ok', '/down']) {
        const created = await createSubscription(
          hooks,
          listId,
          { url: receiver.url(path), events: ['contact.updated'] },
          { 'x-tenant': tenantId },
        );
        subscriptions[`${tenantId}${path}`] = created.id;
      }
    }
    const emit = (scope: (typeof tenants)[number], subject: string) =>
      hooks.webhooks.emit({
        ...scope,
        type: 'contact.updated',
        source: 'api',
        data: { email: `${subject}@example.com` },
        subject,
      });
    const erased = [
      (await emit(tenants[0], 'contact:42')).eventId,
      (await emit(tenants[1], 'contact:42')).eventId,
    ];
    const other = (await emit(tenants[0], 'contact:7')).eventId;
    const all = [...erased, other];
    await eventually(
      async () => (await deliveriesOf(all)).every((delivery) => delivery.attempts === 1),
      { what: 'first attempts of every delivery' },
    );
    // A failed attempt is recorded before its retry job is queued: wait for the jobs too.
    const failing = new Set([subscriptions['acme/down'], subscriptions['globex/down']]);
    await eventually(
      async () => {
        const down = (await deliveriesOf(all)).filter((delivery) =>
          failing.has(delivery.subscriptionId),
        );
        const jobs = await Promise.all(
          down.map((delivery) => hooks.queue.getJob(deliveryJobId(delivery.id, 2))),
        );
        return down.length === 3 && jobs.every((job) => job !== null);
      },
      { what: 'the retry jobs of the failed first attempts' },
    );

    const report = await hooks.app.get(WebhooksErasureService).eraseSubject('contact:42');

    expect(report).toEqual({ eventsRedacted: 2, attemptsRedacted: 4, deliveriesCancelled: 2 });
    const events = await hooks.dataSource.manager.findBy(WebhookEvent, { id: In(all) });
    expect(
      events.map(({ id, data, subject }) => ({ erased: erased.includes(id), data, subject })),
    ).toEqual(
      expect.arrayContaining([
        { erased: true, data: {}, subject: null },
        { erased: true, data: {}, subject: null },
        { erased: false, data: { email: 'contact:7@example.com' }, subject: 'contact:7' },
      ]),
    );
    expect((await attemptsOf(erased)).map((attempt) => attempt.responseExcerpt)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(
      (await attemptsOf([other])).every((attempt) =>
        attempt.responseExcerpt?.includes('contact:7'),
      ),
    ).toBe(true);
    const cancelled = (await deliveriesOf(erased)).filter(
      (delivery) => delivery.status === 'cancelled',
    );
    expect(cancelled.map((delivery) => delivery.subscriptionId).sort()).toEqual(
      [subscriptions['acme/down'], subscriptions['globex/down']].sort(),
    );
    expect(cancelled.every((delivery) => delivery.nextAttemptAt === null)).toBe(true);

    // The relay offers only the other subject's retry, an hour on.
    expect(await hooks.app.get(DeliveryRelay).relay(new Date(Date.now() + 2 * HOUR))).toBe(1);

    // The retry job scheduled before the erasure runs, and sends nothing.
    const sentFor = (deliveryId: string) =>
      receiver.requests.filter((received) => received.headers['webhook-id'] === deliveryId).length;
    const jobId = deliveryJobId(cancelled[0].id, 2);
    const job = await hooks.queue.getJob(jobId);
    expect(job).not.toBeNull();
    await job?.promote();
    // Jobs are removed once done.
    await eventually(async () => (await hooks.queue.getJob(jobId)) === null, {
      what: 'the retry job to run',
    });
    const [afterJob] = await deliveriesOf([cancelled[0].eventId]).then((rows) =>
      rows.filter((row) => row.id === cancelled[0].id),
    );
    expect(afterJob).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(sentFor(cancelled[0].id)).toBe(1);

    // The admin API lists cancelled deliveries, and refuses to redeliver them.
    const acme = { 'x-tenant': 'acme' };
    const page = await listDeliveries(
      hooks,
      'contacts',
      subscriptions['acme/down'],
      { status: 'cancelled' },
      acme,
    );
    expect(page.data.map((delivery) => delivery.status)).toEqual(['cancelled']);
    await request(hooks.app.getHttpServer() as App)
      .post(
        `/lists/contacts/webhooks/${subscriptions['acme/down']}/deliveries/${page.data[0].id}/redeliver`,
      )
      .set(acme)
      .expect(409);

    expect(await hooks.app.get(WebhooksErasureService).eraseSubject('contact:42')).toEqual({
      eventsRedacted: 0,
      attemptsRedacted: 0,
      deliveriesCancelled: 0,
    });
  });

  it('refuses a subject that is not a short non-empty string', async () => {
    await expect(
      hooks.webhooks.emit({
        listId: 'x',
        type: 'contact.updated',
        source: 'api',
        data: {},
        subject: '',
      }),
    ).rejects.toBeInstanceOf(InvalidWebhookEventError);
    await expect(
      hooks.webhooks.emit({
        listId: 'x',
        type: 'contact.updated',
        source: 'api',
        data: {},
        subject: 'x'.repeat(201),
      }),
    ).rejects.toBeInstanceOf(InvalidWebhookEventError);
  });
});
