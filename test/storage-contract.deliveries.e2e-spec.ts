import { IsNull } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { uuidv7LowerBound } from '../libs/webhooks/src/common/uuidv7-bound';
import { WebhookDelivery, WebhookEvent } from './support/internals';
import { TEST_DATABASES } from './support/services';
import { useStoreContract } from './support/storage-contract';

/**
 * The storage port's contract for the delivery path: every store implementation (PostgreSQL's, and the
 * TypeORM one on MariaDB and SQLite) answers the same way, against the real database.
 */
describe.each(TEST_DATABASES)('storage contract on %s: outbox, deliveries', (database) => {
  const store = useStoreContract(database);
  const { at, subscription, event, record, deliveryRow } = store;
  const turnOf = async (subscriptionId: string, orderingKey: string) =>
    (await store.deliveries.findOrderingTurns([{ subscriptionId, orderingKey }]))[0];

  describe('OutboxStore', () => {
    it('writes events with one delivery per receiving subscription that matches, per event in order', async () => {
      const active = await subscription();
      const paused = await subscription({ status: 'paused' });
      const unverified = await subscription({ status: 'pending_verification' });
      await subscription({ status: 'disabled' });
      await subscription({ sources: ['contact'] });
      await subscription({ events: ['campaign.sent'] });
      await subscription({ listId: 'list-2' });
      await subscription({ tenantId: `other-${store.tenant}` });
      const first = event();
      const unmatched = event({ type: 'campaign.opened' });
      const third = event({ type: 'contact.updated', source: 'admin' });

      const written = await store.outbox.write([first, unmatched, third]);
      const ids = written.map((perEvent) => perEvent.map((delivery) => delivery.id));

      expect(ids.map((perEvent) => perEvent.length)).toEqual([3, 0, 3]);
      const rows = await store.hooks.dataSource
        .getRepository(WebhookDelivery)
        .findBy({ tenantId: store.tenant });
      expect(rows).toHaveLength(6);
      // Each written delivery names its subscription, as its row does.
      expect(
        written
          .flat()
          .map(({ id, subscriptionId }) => [id, subscriptionId])
          .sort(),
      ).toEqual(rows.map((row) => [row.id, row.subscriptionId]).sort());
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
        store.hooks.dataSource.transaction(async (manager) => {
          const [ids] = await store.writeIds([rolledBack], manager);
          expect(ids).toHaveLength(1);
          throw new Error('host rolls back');
        }),
      ).rejects.toThrow('host rolls back');
      expect(
        await store.hooks.dataSource.getRepository(WebhookEvent).countBy({ id: rolledBack.id }),
      ).toBe(0);
      expect(
        await store.hooks.dataSource
          .getRepository(WebhookDelivery)
          .countBy({ eventId: rolledBack.id }),
      ).toBe(0);
    });

    it('writes a direct send that the relay never finds due', async () => {
      const target = await subscription();
      const direct = event({ type: 'webhook.test' });
      const delivery = Object.assign(new WebhookDelivery(), {
        id: uuidv7(),
        eventId: direct.id,
        subscriptionId: target.id,
        tenantId: store.tenant,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: null,
      });
      await store.outbox.writeDirect(direct, delivery);
      const [loaded] = await store.deliveries.loadForAttempts([delivery.id]);
      expect(loaded?.event.type).toBe('webhook.test');
      const due = await store.deliveries.findDue(at(3600), null, 1_000);
      expect(due.map((attempt) => attempt.deliveryId)).not.toContain(delivery.id);
    });
  });

  describe('DeliveryStore', () => {
    it('loads delivery, event (data as stored JSON text) and subscription, in the order asked', async () => {
      const target = await subscription({ previousSecret: 'whsec_old' });
      const [[a]] = await store.writeIds([event()]);
      const [[b]] = await store.writeIds([event()]);
      const missing = uuidv7();

      const loaded = await store.deliveries.loadForAttempts([b, missing, a, b]);

      expect(loaded.map((one) => one?.delivery.id ?? null)).toEqual([b, null, a, b]);
      const first = loaded[0]!;
      expect(JSON.parse(first.event.dataJson)).toEqual(event().data);
      expect(first.event).toMatchObject({
        tenantId: store.tenant,
        listId: 'list-1',
        source: 'api',
      });
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

    it("copies the event's ordering key onto its deliveries, and finds a key's first unfinished one", async () => {
      const target = await subscription();
      const other = await subscription();
      const keyed = (orderingKey: string | null) => event({ orderingKey });
      await store.writeIds([keyed('k1'), keyed('k1'), keyed(null)]);
      await store.writeIds([keyed('k1'), keyed('k2')]);
      const repository = store.hooks.dataSource.getRepository(WebhookDelivery);
      const k1 = (await repository.findBy({ subscriptionId: target.id, orderingKey: 'k1' })).sort(
        (x, y) => (x.id < y.id ? -1 : 1),
      );
      // Emit order is id order, within a write and across writes.
      expect(k1.map((row) => row.eventId)).toEqual(k1.map((row) => row.eventId).sort());
      expect(new Set(k1.map((row) => row.eventId)).size).toBe(3);
      expect(await repository.countBy({ tenantId: store.tenant, orderingKey: IsNull() })).toBe(2);
      expect(await repository.countBy({ subscriptionId: other.id, orderingKey: 'k2' })).toBe(1);
      expect(
        await store.hooks.dataSource
          .getRepository(WebhookEvent)
          .countBy({ tenantId: store.tenant, orderingKey: 'k1' }),
      ).toBe(3);
      const [a, b, c] = k1.map((row) => row.id);

      // The turn: the unfinished delivery with the smallest id of the subscription and key.
      const turn = await turnOf(target.id, 'k1');
      expect(turn).toMatchObject({ deliveryId: a, attempt: 1 });
      expect(turn?.nextAttemptAt).toBeInstanceOf(Date);
      await store.attempts.record([record(a, 1, { nextAttemptAt: at(90) })]);
      const retried = await turnOf(target.id, 'k1');
      expect(retried).toMatchObject({ deliveryId: a, attempt: 2 });
      expect(retried?.nextAttemptAt?.getTime()).toBe(at(90).getTime());
      // Exhausted and succeeded are final; held is not: it keeps its turn.
      await store.attempts.record([record(a, 2, { status: 'exhausted', nextAttemptAt: null })]);
      await store.deliveries.hold(b, 0);
      expect(await turnOf(target.id, 'k1')).toMatchObject({
        deliveryId: b,
        nextAttemptAt: null,
      });
      await store.deliveries.unhold(b);
      await store.attempts.record([record(b, 1, { status: 'succeeded', nextAttemptAt: null })]);
      expect((await turnOf(target.id, 'k1'))?.deliveryId).toBe(c);
      // Cancelled (erased) is final too.
      await repository.update({ id: c }, { status: 'cancelled' });
      expect(await turnOf(target.id, 'k1')).toBeNull();
      expect((await turnOf(other.id, 'k2'))?.attempt).toBe(1);
      expect(await turnOf(target.id, 'k3')).toBeNull();
      // Several keys in one statement, answered in the order asked, a key asked twice twice.
      const turns = await store.deliveries.findOrderingTurns([
        { subscriptionId: other.id, orderingKey: 'k2' },
        { subscriptionId: target.id, orderingKey: 'k1' },
        { subscriptionId: target.id, orderingKey: 'k2' },
        { subscriptionId: other.id, orderingKey: 'k2' },
      ]);
      expect(turns.map((found) => found?.attempt ?? null)).toEqual([1, null, 1, 1]);
      expect(turns[0]?.deliveryId).toBe(turns[3]?.deliveryId);
      expect(turns[2]?.deliveryId).not.toBe(turns[0]?.deliveryId);
      expect(await store.deliveries.findOrderingTurns([])).toEqual([]);
    });

    it('moves due times only of deliveries still waiting for that attempt', async () => {
      await subscription();
      const [waiting, moved, settled] = (await store.writeIds([event(), event(), event()])).flat();
      await store.attempts.record([record(moved, 1)]);
      await store.attempts.record([
        record(settled, 1, { status: 'succeeded', nextAttemptAt: null }),
      ]);

      await store.deliveries.setDue(
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
      const ids = (await store.writeIds([event(), event(), event()])).flat();
      await store.attempts.record([record(ids[1], 1, { nextAttemptAt: at(-10) })]);
      const mine = async (after: string | null, limit: number) =>
        (await store.deliveries.findDue(at(1), after, limit)).filter((due) =>
          ids.includes(due.deliveryId),
        );

      const all = await mine(null, 100_000);
      expect(all).toEqual([
        { deliveryId: ids[0], attempt: 1 },
        { deliveryId: ids[1], attempt: 2 },
        { deliveryId: ids[2], attempt: 1 },
      ]);
      expect(await mine(ids[0], 100_000)).toEqual(all.slice(1));
      expect(await store.deliveries.findDue(at(-3600), null, 100_000)).not.toContainEqual(all[0]);
    });

    it('holds, undoes a hold, and releases held deliveries in batches, oldest first', async () => {
      const target = await subscription();
      const ids = (await store.writeIds([event(), event(), event()])).flat();
      for (const id of ids) await store.deliveries.hold(id, 0);
      await store.deliveries.hold(ids[0], 5); // not at 5 attempts: no change
      expect((await deliveryRow(ids[0])).status).toBe('held');
      expect((await deliveryRow(ids[0])).nextAttemptAt).toBeNull();

      await store.deliveries.unhold(ids[2]);
      expect((await deliveryRow(ids[2])).status).toBe('pending');

      expect(await store.deliveries.releaseHeld(target.id, 1, at(5))).toEqual([
        { deliveryId: ids[0], attempt: 1 },
      ]);
      expect(await store.deliveries.releaseHeld(target.id, 10, at(5))).toEqual([
        { deliveryId: ids[1], attempt: 1 },
      ]);
      expect(await store.deliveries.releaseHeld(target.id, 10, at(5))).toEqual([]);
      expect(await deliveryRow(ids[1])).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(5),
      });
    });

    it('releases orphaned holds of active subscriptions only', async () => {
      await subscription();
      const [[ofActive]] = await store.writeIds([event()]);
      await subscription({ listId: 'paused-list', status: 'paused' });
      const [[ofPaused]] = await store.writeIds([event({ listId: 'paused-list' })]);
      await store.deliveries.hold(ofActive, 0);
      await store.deliveries.hold(ofPaused, 0);

      await store.deliveries.releaseOrphanedHolds(at(7));

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
        await store.writeIds([event(), event(), event({ type: 'contact.updated' })])
      ).flat();
      await store.attempts.record([
        record(ids[0], 1, { status: 'exhausted', nextAttemptAt: null }),
        record(ids[1], 1, { status: 'succeeded', nextAttemptAt: null }),
        record(ids[2], 1),
      ]);

      expect(await store.deliveries.findOne(store.tenant, target.id, ids[0])).toMatchObject({
        id: ids[0],
      });
      expect(await store.deliveries.findOne(`other-${store.tenant}`, target.id, ids[0])).toBeNull();

      const recoverable = await store.deliveries.findRecoverable({
        tenantId: store.tenant,
        subscriptionId: target.id,
        fromEventId: uuidv7LowerBound(before),
        excludedTypes: ['contact.updated'],
        limit: 10,
      });
      expect(recoverable).toEqual([{ deliveryId: ids[0], attempt: 2 }]);

      await store.deliveries.requeue([ids[0]], at(3));
      expect(await deliveryRow(ids[0])).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(3),
      });

      const page = await store.deliveries.listPage({
        tenantId: store.tenant,
        subscriptionId: target.id,
        limit: 2,
      });
      expect(page.map((row) => row.id)).toEqual([ids[2], ids[1]]);
      const next = await store.deliveries.listPage({
        tenantId: store.tenant,
        subscriptionId: target.id,
        beforeId: ids[1],
        limit: 2,
      });
      expect(next.map((row) => row.id)).toEqual([ids[0]]);
      const succeeded = await store.deliveries.listPage({
        tenantId: store.tenant,
        subscriptionId: target.id,
        status: 'succeeded',
        limit: 10,
      });
      expect(succeeded.map((row) => row.id)).toEqual([ids[1]]);
    });

    it('requeues one delivery, says when it was pending already, and when it is gone', async () => {
      await subscription();
      const [settled, cancelled, pruned] = (
        await store.writeIds([event(), event(), event()])
      ).flat();
      await store.attempts.record([
        record(settled, 1, { status: 'succeeded', nextAttemptAt: null }),
      ]);
      await store.hooks.dataSource
        .getRepository(WebhookDelivery)
        .update({ id: cancelled }, { status: 'cancelled', nextAttemptAt: null });
      await store.hooks.dataSource.getRepository(WebhookDelivery).delete({ id: pruned });

      expect(await store.deliveries.requeueOne(settled, at(3))).toBe('requeued');
      expect(await deliveryRow(settled)).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(3),
      });
      // Due at the same time again: merged all the same, though the row does not change.
      expect(await store.deliveries.requeueOne(settled, at(3))).toBe('merged');
      expect(await store.deliveries.requeueOne(settled, at(1))).toBe('merged');
      expect(await deliveryRow(settled)).toMatchObject({
        status: 'pending',
        nextAttemptAt: at(1),
      });
      expect(await store.deliveries.requeueOne(cancelled, at(1))).toBe('gone');
      expect((await deliveryRow(cancelled)).status).toBe('cancelled');
      expect(await store.deliveries.requeueOne(pruned, at(1))).toBe('gone');
    });

    it('tells when the oldest due delivery was due', async () => {
      await subscription();
      const [[id]] = await store.writeIds([event()]);
      await store.attempts.record([record(id, 1, { nextAttemptAt: at(-86_400 * 365) })]);
      expect(await store.deliveries.oldestDueAt()).toEqual(at(-86_400 * 365));
    });
  });
});
