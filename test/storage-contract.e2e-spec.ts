import { v7 as uuidv7 } from 'uuid';
import { uuidv7LowerBound } from '../libs/webhooks/src/common/uuidv7-bound';
import {
  AttemptStore,
  DeliveryStore,
  EndpointHealthStore,
  OutboxStore,
  SubscriptionStore,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEvent,
  type AttemptRecord,
  type NewSubscription,
} from './support/internals';
import { TEST_DATABASES } from './support/services';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * The storage port's contract: every store implementation (PostgreSQL's, and the TypeORM one on
 * MariaDB and SQLite) answers the same way, against the real database.
 */
describe.each(TEST_DATABASES)('storage contract on %s', (database) => {
  let hooks: WebhooksTestApp;
  let outbox: OutboxStore;
  let deliveries: DeliveryStore;
  let attempts: AttemptStore;
  let subscriptions: SubscriptionStore;
  let health: EndpointHealthStore;
  let tenant: string;

  beforeAll(async () => {
    hooks = await createWebhooksApp({ database, options: { worker: false } });
    const get = <T>(token: abstract new (...args: never[]) => T) =>
      hooks.app.get<T>(token, { strict: false });
    outbox = get(OutboxStore);
    deliveries = get(DeliveryStore);
    attempts = get(AttemptStore);
    subscriptions = get(SubscriptionStore);
    health = get(EndpointHealthStore);
  });
  afterAll(() => hooks.close());
  let base: number;
  beforeEach(() => {
    tenant = `tenant-${uuidv7()}`;
    // Whole seconds (MySQL's DATETIME keeps no fraction), fixed for the test.
    base = Math.floor(Date.now() / 1000) * 1000;
  });
  const at = (offsetSeconds: number) => new Date(base + offsetSeconds * 1000);

  async function subscription(overrides: Partial<NewSubscription> = {}): Promise<NewSubscription> {
    const inserted = await subscriptions.insertWithin(
      {
        id: uuidv7(),
        tenantId: tenant,
        listId: 'list-1',
        url: 'https://receiver.example/hook',
        name: null,
        description: null,
        events: ['contact.subscribed', 'contact.updated'],
        sources: ['api', 'admin'],
        secret: 'whsec_current',
        previousSecret: null,
        previousSecretExpiresAt: null,
        payloadFormat: 'json',
        headers: { authorization: 'Bearer receiver-token' },
        status: 'active',
        verificationChallenge: null,
        disabledReason: null,
        disabledAt: null,
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: null,
        lastTestSucceededAt: null,
        lastProbedAt: null,
        ...overrides,
      },
      1_000,
    );
    if (!inserted) throw new Error('the scope is full');
    return inserted;
  }

  function event(overrides: Partial<WebhookEvent> = {}): WebhookEvent {
    return Object.assign(new WebhookEvent(), {
      id: uuidv7(),
      tenantId: tenant,
      listId: 'list-1',
      type: 'contact.subscribed',
      source: 'api',
      data: { contact: { email: 'ada@example.com', name: 'Ada Lövelace ✓' }, tags: ['a', 'b'] },
      occurredAt: at(0),
      ...overrides,
    });
  }

  function record(deliveryId: string, attempt: number, overrides: Partial<AttemptRecord> = {}) {
    return {
      deliveryId,
      attempt,
      trigger: 'scheduled',
      outcome: {
        statusCode: 500,
        durationMs: 12,
        errorKind: 'http_status',
        errorMessage: 'server error',
        responseExcerpt: 'oops',
      },
      status: 'failed',
      attemptedAt: at(0),
      nextAttemptAt: at(60),
      ...overrides,
    } satisfies AttemptRecord;
  }

  async function deliveryRow(id: string): Promise<WebhookDelivery> {
    return hooks.dataSource.getRepository(WebhookDelivery).findOneByOrFail({ id });
  }

  describe('OutboxStore', () => {
    it('writes events with one delivery per receiving subscription that matches, per event in order', async () => {
      const active = await subscription();
      const paused = await subscription({ status: 'paused' });
      const unverified = await subscription({ status: 'pending_verification' });
      await subscription({ status: 'disabled' });
      await subscription({ sources: ['contact'] });
      await subscription({ events: ['campaign.sent'] });
      await subscription({ listId: 'list-2' });
      await subscription({ tenantId: `other-${tenant}` });
      const first = event();
      const unmatched = event({ type: 'campaign.opened' });
      const third = event({ type: 'contact.updated', source: 'admin' });

      const ids = await outbox.write([first, unmatched, third]);

      expect(ids.map((perEvent) => perEvent.length)).toEqual([3, 0, 3]);
      const rows = await hooks.dataSource
        .getRepository(WebhookDelivery)
        .findBy({ tenantId: tenant });
      expect(rows).toHaveLength(6);
      const receiving = [active.id, paused.id, unverified.id].sort();
      for (const [index, perEvent] of [ids[0], ids[2]].entries()) {
        const written = rows.filter((row) => perEvent.includes(row.id));
        expect(written.map((row) => row.eventId)).toEqual(Array(3).fill([first, third][index].id));
        expect(written.map((row) => row.subscriptionId).sort()).toEqual(receiving);
        expect(written.every((row) => row.status === 'pending' && row.attempts === 0)).toBe(true);
      }
      // Ids are time-ordered: a later event's deliveries sort after an earlier one's.
      expect([...ids[0]].sort().every((id) => ids[2].every((later) => later > id))).toBe(true);
    });

    it('writes in the caller transaction, and nothing when it rolls back', async () => {
      await subscription();
      const rolledBack = event();
      await expect(
        hooks.dataSource.transaction(async (manager) => {
          const [ids] = await outbox.write([rolledBack], manager);
          expect(ids).toHaveLength(1);
          throw new Error('host rolls back');
        }),
      ).rejects.toThrow('host rolls back');
      expect(
        await hooks.dataSource.getRepository(WebhookEvent).countBy({ id: rolledBack.id }),
      ).toBe(0);
      expect(
        await hooks.dataSource.getRepository(WebhookDelivery).countBy({ eventId: rolledBack.id }),
      ).toBe(0);
    });

    it('writes a direct send that the relay never finds due', async () => {
      const target = await subscription();
      const direct = event({ type: 'webhook.test' });
      const delivery = Object.assign(new WebhookDelivery(), {
        id: uuidv7(),
        eventId: direct.id,
        subscriptionId: target.id,
        tenantId: tenant,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: null,
      });
      await outbox.writeDirect(direct, delivery);
      const [loaded] = await deliveries.loadForAttempts([delivery.id]);
      expect(loaded?.event.type).toBe('webhook.test');
      const due = await deliveries.findDue(at(3600), null, 1_000);
      expect(due.map((attempt) => attempt.deliveryId)).not.toContain(delivery.id);
    });
  });

  describe('DeliveryStore', () => {
    it('loads delivery, event (data as stored JSON text) and subscription, in the order asked', async () => {
      const target = await subscription({ previousSecret: 'whsec_old' });
      const [[a]] = await outbox.write([event()]);
      const [[b]] = await outbox.write([event()]);
      const missing = uuidv7();

      const loaded = await deliveries.loadForAttempts([b, missing, a, b]);

      expect(loaded.map((one) => one?.delivery.id ?? null)).toEqual([b, null, a, b]);
      const first = loaded[0]!;
      expect(JSON.parse(first.event.dataJson)).toEqual(event().data);
      expect(first.event).toMatchObject({ tenantId: tenant, listId: 'list-1', source: 'api' });
      expect(first.event.occurredAt).toBeInstanceOf(Date);
      expect(first.subscription).toMatchObject({
        id: target.id,
        url: target.url,
        secret: 'whsec_current',
        previousSecret: 'whsec_old',
        headers: { authorization: 'Bearer receiver-token' },
      });
      // Each caller gets its own objects: the attempter updates them in place.
      expect(loaded[0]).not.toBe(loaded[3]);
    });

    it('moves due times only of deliveries still waiting for that attempt', async () => {
      await subscription();
      const [waiting, moved, settled] = (await outbox.write([event(), event(), event()])).flat();
      await attempts.record([record(moved, 1)]);
      await attempts.record([record(settled, 1, { status: 'succeeded', nextAttemptAt: null })]);

      await deliveries.setDue(
        [
          { deliveryId: waiting, attempt: 1 },
          { deliveryId: moved, attempt: 1 },
          { deliveryId: settled, attempt: 2 },
        ],
        at(3600),
      );

      expect((await deliveryRow(waiting)).nextAttemptAt).toEqual(at(3600));
      expect((await deliveryRow(moved)).nextAttemptAt).toEqual(at(60));
      expect((await deliveryRow(settled)).nextAttemptAt).toBeNull();
    });

    it('finds due next attempts by id, page after page', async () => {
      await subscription();
      const ids = (await outbox.write([event(), event(), event()])).flat();
      await attempts.record([record(ids[1], 1, { nextAttemptAt: at(-10) })]);
      const mine = async (after: string | null, limit: number) =>
        (await deliveries.findDue(at(1), after, limit)).filter((due) =>
          ids.includes(due.deliveryId),
        );

      const all = await mine(null, 100_000);
      expect(all).toEqual([
        { deliveryId: ids[0], attempt: 1 },
        { deliveryId: ids[1], attempt: 2 },
        { deliveryId: ids[2], attempt: 1 },
      ]);
      expect(await mine(ids[0], 100_000)).toEqual(all.slice(1));
      expect(await deliveries.findDue(at(-3600), null, 100_000)).not.toContainEqual(all[0]);
    });

    it('holds, undoes a hold, and releases held deliveries in batches, oldest first', async () => {
      const target = await subscription();
      const ids = (await outbox.write([event(), event(), event()])).flat();
      for (const id of ids) await deliveries.hold(id, 0);
      await deliveries.hold(ids[0], 5); // not at 5 attempts: no change
      expect((await deliveryRow(ids[0])).status).toBe('held');
      expect((await deliveryRow(ids[0])).nextAttemptAt).toBeNull();

      await deliveries.unhold(ids[2]);
      expect((await deliveryRow(ids[2])).status).toBe('pending');

      expect(await deliveries.releaseHeld(target.id, 1, at(5))).toEqual([
        { deliveryId: ids[0], attempt: 1 },
      ]);
      expect(await deliveries.releaseHeld(target.id, 10, at(5))).toEqual([
        { deliveryId: ids[1], attempt: 1 },
      ]);
      expect(await deliveries.releaseHeld(target.id, 10, at(5))).toEqual([]);
      expect(await deliveryRow(ids[1])).toMatchObject({ status: 'pending', nextAttemptAt: at(5) });
    });

    it('releases orphaned holds of active subscriptions only', async () => {
      await subscription();
      const [[ofActive]] = await outbox.write([event()]);
      await subscription({ listId: 'paused-list', status: 'paused' });
      const [[ofPaused]] = await outbox.write([event({ listId: 'paused-list' })]);
      await deliveries.hold(ofActive, 0);
      await deliveries.hold(ofPaused, 0);

      await deliveries.releaseOrphanedHolds(at(7));

      expect(await deliveryRow(ofActive)).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(7),
      });
      expect((await deliveryRow(ofPaused)).status).toBe('held');
    });

    it('requeues, finds one within its tenant, recovers and pages the delivery log', async () => {
      const target = await subscription();
      const before = at(-5);
      const ids = (
        await outbox.write([event(), event(), event({ type: 'contact.updated' })])
      ).flat();
      await attempts.record([
        record(ids[0], 1, { status: 'exhausted', nextAttemptAt: null }),
        record(ids[1], 1, { status: 'succeeded', nextAttemptAt: null }),
        record(ids[2], 1),
      ]);

      expect(await deliveries.findOne(tenant, target.id, ids[0])).toMatchObject({ id: ids[0] });
      expect(await deliveries.findOne(`other-${tenant}`, target.id, ids[0])).toBeNull();

      const recoverable = await deliveries.findRecoverable({
        tenantId: tenant,
        subscriptionId: target.id,
        fromEventId: uuidv7LowerBound(before),
        excludedTypes: ['contact.updated'],
        limit: 10,
      });
      expect(recoverable).toEqual([{ deliveryId: ids[0], attempt: 2 }]);

      await deliveries.requeue([ids[0]], at(3));
      expect(await deliveryRow(ids[0])).toMatchObject({ status: 'pending', nextAttemptAt: at(3) });

      const page = await deliveries.listPage({
        tenantId: tenant,
        subscriptionId: target.id,
        limit: 2,
      });
      expect(page.map((row) => row.id)).toEqual([ids[2], ids[1]]);
      const next = await deliveries.listPage({
        tenantId: tenant,
        subscriptionId: target.id,
        beforeId: ids[1],
        limit: 2,
      });
      expect(next.map((row) => row.id)).toEqual([ids[0]]);
      const succeeded = await deliveries.listPage({
        tenantId: tenant,
        subscriptionId: target.id,
        status: 'succeeded',
        limit: 10,
      });
      expect(succeeded.map((row) => row.id)).toEqual([ids[1]]);
    });

    it('requeues one delivery, says when it was pending already, and when it is gone', async () => {
      await subscription();
      const [settled, cancelled, pruned] = (await outbox.write([event(), event(), event()])).flat();
      await attempts.record([record(settled, 1, { status: 'succeeded', nextAttemptAt: null })]);
      await hooks.dataSource
        .getRepository(WebhookDelivery)
        .update({ id: cancelled }, { status: 'cancelled', nextAttemptAt: null });
      await hooks.dataSource.getRepository(WebhookDelivery).delete({ id: pruned });

      expect(await deliveries.requeueOne(settled, at(3))).toBe('requeued');
      expect(await deliveryRow(settled)).toMatchObject({ status: 'pending', nextAttemptAt: at(3) });
      // Due at the same time again: merged all the same, though the row does not change.
      expect(await deliveries.requeueOne(settled, at(3))).toBe('merged');
      expect(await deliveries.requeueOne(settled, at(1))).toBe('merged');
      expect(await deliveryRow(settled)).toMatchObject({ status: 'pending', nextAttemptAt: at(1) });
      expect(await deliveries.requeueOne(cancelled, at(1))).toBe('gone');
      expect((await deliveryRow(cancelled)).status).toBe('cancelled');
      expect(await deliveries.requeueOne(pruned, at(1))).toBe('gone');
    });

    it('tells when the oldest due delivery was due', async () => {
      await subscription();
      const [[id]] = await outbox.write([event()]);
      await attempts.record([record(id, 1, { nextAttemptAt: at(-86_400 * 365) })]);
      expect(await deliveries.oldestDueAt()).toEqual(at(-86_400 * 365));
    });
  });

  describe('AttemptStore', () => {
    it('writes attempts and moves each delivery only from the attempt before, first record of a batch only', async () => {
      await subscription();
      const [id, other] = (await outbox.write([event(), event()])).flat();

      const firstBatch = await attempts.record([
        record(id, 1),
        record(id, 2, { status: 'succeeded', nextAttemptAt: null }),
        record(other, 2),
      ]);
      expect(firstBatch).toEqual([true, false, false]);
      expect(await deliveryRow(id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastStatusCode: 500,
        nextAttemptAt: at(60),
      });
      expect(await deliveryRow(other)).toMatchObject({ status: 'pending', attempts: 0 });

      expect(await attempts.record([record(id, 1)])).toEqual([false]);

      const written = await attempts.listForDeliveries([id, other]);
      const numbers = written.map((row) => row.attemptNumber);
      expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
      expect(written.map((row) => `${row.deliveryId}#${row.attemptNumber}`).sort()).toEqual(
        [`${id}#1`, `${id}#1`, `${id}#2`, `${other}#2`].sort(),
      );
      expect(written[0]).toMatchObject({
        trigger: 'scheduled',
        statusCode: 500,
        durationMs: 12,
        errorKind: 'http_status',
        errorMessage: 'server error',
        responseExcerpt: 'oops',
      });
      expect(await hooks.dataSource.getRepository(WebhookAttempt).countBy({ deliveryId: id })).toBe(
        3,
      );
    });
    it('keeps no answer of an attempt on a cancelled delivery (its subject was erased)', async () => {
      await subscription();
      const [id] = (await outbox.write([event()])).flat();
      await hooks.dataSource
        .getRepository(WebhookDelivery)
        .update({ id }, { status: 'cancelled', nextAttemptAt: null });

      expect(await attempts.record([record(id, 1)])).toEqual([false]);

      expect(await deliveryRow(id)).toMatchObject({ status: 'cancelled', attempts: 0 });
      const [written] = await attempts.listForDeliveries([id]);
      expect(written).toMatchObject({ statusCode: 500, responseExcerpt: null });
    });
  });

  describe('SubscriptionStore', () => {
    it('inserts within a limit, finds and pages within a scope only', async () => {
      const scope = { tenantId: tenant, listId: 'list-1' };
      const ids = [(await subscription()).id, (await subscription()).id, (await subscription()).id];
      await subscription({ listId: 'list-2' });
      const fourth = { ...(await subscriptions.findById(ids[0]))!, id: uuidv7() };
      expect(await subscriptions.insertWithin(fourth, 3)).toBeNull();
      expect(await subscriptions.findById(fourth.id)).toBeNull();
      expect(await subscriptions.insertWithin(fourth, 4)).toMatchObject({ id: fourth.id });
      ids.push(fourth.id);
      expect(await subscriptions.findInScope(scope, ids[0])).toMatchObject({ id: ids[0] });
      expect(await subscriptions.findInScope({ ...scope, listId: 'list-2' }, ids[0])).toBeNull();
      expect((await subscriptions.listPage(scope, undefined, 2)).map((row) => row.id)).toEqual([
        ids[3],
        ids[2],
      ]);
      expect((await subscriptions.listPage(scope, ids[2], 5)).map((row) => row.id)).toEqual([
        ids[1],
        ids[0],
      ]);
      expect(await subscriptions.statusOf(ids[0])).toBe('active');
      expect(await subscriptions.statusOf(uuidv7())).toBeNull();
    });

    it('changes state only from the state the caller saw', async () => {
      const { id, url } = await subscription();
      expect(await subscriptions.updateIfStatus(id, 'paused', { name: 'stale' })).toBe(false);
      expect(await subscriptions.updateIfStatus(id, 'active', { status: 'paused' })).toBe(true);

      expect(await subscriptions.disable(id, 'x'.repeat(600), at(0))).toBe(true);
      expect(await subscriptions.disable(id, 'again', at(0))).toBe(false);
      const disabled = await subscriptions.findById(id);
      expect(disabled).toMatchObject({ status: 'disabled', disabledAt: at(0) });
      expect(disabled?.disabledReason).toHaveLength(500);

      expect(await subscriptions.activate(id, { from: 'disabled', url: 'https://moved/' })).toBe(
        false,
      );
      expect(await subscriptions.activate(id, { from: 'paused', url })).toBe(false);
      expect(await subscriptions.activate(id, { from: 'disabled', url })).toBe(true);
      expect(await subscriptions.findById(id)).toMatchObject({
        status: 'active',
        disabledReason: null,
        disabledAt: null,
        consecutiveFailures: 0,
      });
    });

    it('activates a pending subscription only with the challenge that was sent', async () => {
      const { id, url } = await subscription({
        status: 'pending_verification',
        verificationChallenge: 'challenge-1',
      });
      const from = 'pending_verification' as const;
      expect(await subscriptions.activate(id, { from, url, challenge: 'old' })).toBe(false);
      expect(await subscriptions.activate(id, { from, url, challenge: null })).toBe(false);
      expect(await subscriptions.activate(id, { from, url, challenge: 'challenge-1' })).toBe(true);
      expect((await subscriptions.findById(id))?.verificationChallenge).toBeNull();
    });

    it('rotates a secret once from the current one, and not again too soon', async () => {
      const { id } = await subscription();
      const rotation = (current: string, secret: string) => ({
        current,
        secret,
        currentExpiresAt: at(60),
        latestPreviousExpiry: at(50),
      });
      expect(await subscriptions.rotateSecret(id, rotation('whsec_current', 'whsec_next'))).toBe(
        true,
      );
      expect(await subscriptions.rotateSecret(id, rotation('whsec_current', 'whsec_lost'))).toBe(
        false,
      );
      expect(await subscriptions.rotateSecret(id, rotation('whsec_next', 'whsec_soon'))).toBe(
        false,
      );
      expect(await subscriptions.findById(id)).toMatchObject({
        secret: 'whsec_next',
        previousSecret: 'whsec_current',
        previousSecretExpiresAt: at(60),
      });
    });

    it('stamps tests and probes, and finds disabled endpoints due for a probe', async () => {
      const due = await subscription({ status: 'disabled', disabledAt: at(-7200) });
      const probed = await subscription({
        status: 'disabled',
        disabledAt: at(-7200),
        lastProbedAt: at(-10),
      });
      await subscription({ status: 'disabled', disabledAt: at(-10) });
      await subscriptions.markTestSucceeded(due.id, at(0));
      expect((await subscriptions.findById(due.id))?.lastTestSucceededAt).toEqual(at(0));

      const found = await subscriptions.findDueForProbe(at(-3600), 1_000);
      const mine = found.filter((row) => row.tenantId === tenant).map((row) => row.id);
      expect(mine).toEqual([due.id]);
      await subscriptions.markProbed(due.id, at(0));
      expect((await subscriptions.findById(due.id))?.lastProbedAt).toEqual(at(0));
      expect(probed.id).not.toBe(due.id);
      expect(await subscriptions.countWithStatus('disabled')).toBeGreaterThanOrEqual(3);
    });

    it('removes a subscription with its deliveries and their attempts, and nothing else', async () => {
      const removed = await subscription();
      const kept = await subscription({ listId: 'list-2' });
      const [[gone]] = await outbox.write([event()]);
      const [[stays]] = await outbox.write([event({ listId: 'list-2' })]);
      await attempts.record([record(gone, 1), record(stays, 1)]);

      await subscriptions.removeWithHistory({ tenantId: tenant, listId: 'list-1' }, removed.id);

      expect(await subscriptions.findById(removed.id)).toBeNull();
      expect(await subscriptions.findById(kept.id)).not.toBeNull();
      expect(await deliveries.loadForAttempts([gone, stays])).toEqual([
        null,
        expect.objectContaining({}),
      ]);
      expect(await attempts.listForDeliveries([gone])).toEqual([]);
      expect(await attempts.listForDeliveries([stays])).toHaveLength(1);
    });
  });

  describe('EndpointHealthStore', () => {
    it('counts failures from the first one, resets on success and finds sustained failures', async () => {
      const failing = await subscription();
      const recovering = await subscription();
      const paused = await subscription({ status: 'paused' });
      const ids = [failing.id, recovering.id, paused.id];

      await health.addFailures(ids, 2, at(-7200));
      await health.addFailures(ids, 1, at(-60));
      expect(await subscriptions.findById(failing.id)).toMatchObject({
        consecutiveFailures: 3,
        failingSince: at(-7200),
      });

      await health.recordSuccesses([recovering.id], at(0));
      expect(await subscriptions.findById(recovering.id)).toMatchObject({
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: at(0),
      });

      expect(await health.findSustainedFailures(ids, 3, at(-3600))).toEqual([failing.id]);
      expect(await health.findSustainedFailures(ids, 4, at(-3600))).toEqual([]);
      expect(await health.findSustainedFailures(ids, 3, at(-8000))).toEqual([]);
      expect(await health.findSustainedFailures([], 1, at(0))).toEqual([]);
    });
  });
});
