import { v7 as uuidv7 } from 'uuid';
import { InboundEndpointStore, InboundEventStore, type NewInboundEvent } from './support/internals';
import { TEST_DATABASES } from './support/services';
import { useStoreContract } from './support/storage-contract';

/** The storage port's contract for inbound endpoints and the inbox, on every database. */
describe.each(TEST_DATABASES)('storage contract on %s: inbound', (database) => {
  const store = useStoreContract(database);
  const { at } = store;
  const get = <T>(token: abstract new (...args: never[]) => T) =>
    store.hooks.app.get<T>(token, { strict: false });
  const endpoints = () => get(InboundEndpointStore);
  const events = () => get(InboundEventStore);

  const endpoint = (overrides: { listId?: string | null; secret?: string } = {}) =>
    endpoints().insert({
      id: uuidv7(),
      token: `token-${uuidv7()}`,
      tenantId: store.tenant,
      listId: 'list-1',
      name: null,
      scheme: 'github',
      secret: 'secret-1',
      previousSecret: null,
      previousSecretExpiresAt: null,
      settings: { header: 'X-Sig' },
      ...overrides,
    });
  const event = (
    endpointId: string,
    overrides: Partial<NewInboundEvent> = {},
  ): NewInboundEvent => ({
    id: uuidv7(),
    endpointId,
    tenantId: store.tenant,
    listId: 'list-1',
    scheme: 'github',
    dedupKey: `id:${uuidv7()}`,
    providerEventId: 'delivery-1',
    type: 'push',
    headers: { 'content-type': 'application/json' },
    body: '{"ref":"main","text":"Ada Lövelace ✓","nul":"\\u0000"}',
    nextAttemptAt: at(0),
    receivedAt: at(0),
    ...overrides,
  });

  describe('InboundEndpointStore', () => {
    it('finds by tenant and by token, pages newest first, filters by list', async () => {
      const first = await endpoint();
      const second = await endpoint({ listId: null });
      const third = await endpoint();
      expect(first).toMatchObject({ secret: 'secret-1', settings: { header: 'X-Sig' } });
      expect(await endpoints().findInTenant(store.tenant, first.id)).toMatchObject({
        id: first.id,
      });
      expect(await endpoints().findInTenant('another-tenant', first.id)).toBeNull();
      expect(await endpoints().findByToken(second.token)).toMatchObject({ id: second.id });
      expect(await endpoints().findByToken('no-such-token')).toBeNull();
      const page = (query: { listIds?: string[]; beforeId?: string; limit: number }) =>
        endpoints()
          .listPage({ tenantId: store.tenant, ...query })
          .then((rows) => rows.map((row) => row.id));
      expect(await page({ limit: 2 })).toEqual([third.id, second.id]);
      expect(await page({ beforeId: second.id, limit: 5 })).toEqual([first.id]);
      expect(await page({ listIds: ['list-1'], limit: 5 })).toEqual([third.id, first.id]);
      expect(await page({ listIds: [], limit: 5 })).toEqual([]);
    });

    it('updates and rotates within the tenant only, from the secret the caller saw', async () => {
      const { id } = await endpoint();
      expect(await endpoints().update('another-tenant', id, { name: 'x' })).toBe(false);
      expect(await endpoints().update(store.tenant, id, { name: 'Repo', listId: null })).toBe(true);
      const rotation = { current: 'secret-1', secret: 'secret-2', currentExpiresAt: at(60) };
      expect(await endpoints().rotateSecret('another-tenant', id, rotation)).toBe(false);
      expect(
        await endpoints().rotateSecret(store.tenant, id, { ...rotation, current: 'stale' }),
      ).toBe(false);
      expect(await endpoints().rotateSecret(store.tenant, id, rotation)).toBe(true);
      expect(await endpoints().rotateSecret(store.tenant, id, rotation)).toBe(false);
      expect(await endpoints().findInTenant(store.tenant, id)).toMatchObject({
        name: 'Repo',
        listId: null,
        secret: 'secret-2',
        previousSecret: 'secret-1',
        previousSecretExpiresAt: at(60),
      });
    });

    it('removes an endpoint with its events, within the tenant only', async () => {
      const { id } = await endpoint();
      const kept = await endpoint();
      await events().insertIfNew(event(id));
      await events().insertIfNew(event(kept.id));
      expect(await endpoints().removeWithEvents('another-tenant', id)).toBe(false);
      expect(await endpoints().removeWithEvents(store.tenant, id)).toBe(true);
      expect(await endpoints().findInTenant(store.tenant, id)).toBeNull();
      expect(await events().listPage({ endpointId: id, limit: 5 })).toEqual([]);
      expect(await events().listPage({ endpointId: kept.id, limit: 5 })).toHaveLength(1);
    });
  });

  describe('InboundEventStore', () => {
    it('stores an event once per endpoint and key, however many insert it at once', async () => {
      const { id: endpointId } = await endpoint();
      const other = await endpoint();
      const dedupKey = `id:${uuidv7()}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => events().insertIfNew(event(endpointId, { dedupKey }))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await events().insertIfNew(event(other.id, { dedupKey }))).toBe(true);
      expect(await events().listPage({ endpointId, limit: 10 })).toHaveLength(1);
    });

    it('keeps the body and headers exactly, and claims an event for one attempt at a time', async () => {
      const { id: endpointId } = await endpoint();
      const stored = event(endpointId);
      await events().insertIfNew(stored);
      expect(await events().claim(stored.id, at(-1), at(30))).toBeNull();
      const claimed = await events().claim(stored.id, at(0), at(30));
      expect(claimed).toMatchObject({
        id: stored.id,
        status: 'processing',
        attempts: 1,
        body: stored.body,
        headers: stored.headers,
        receivedAt: at(0),
        nextAttemptAt: at(30),
      });
      // Held: another worker cannot take it until the lease has passed.
      expect(await events().claim(stored.id, at(10), at(40))).toBeNull();
      expect(await events().findDue(at(29), null, 10)).not.toContainEqual(
        expect.objectContaining({ id: stored.id }),
      );
      expect(await events().findDue(at(30), null, 10)).toContainEqual({
        id: stored.id,
        attempt: 2,
      });
      const retaken = await events().claim(stored.id, at(30), at(60));
      expect(retaken?.attempts).toBe(2);
      // The first holder's outcome comes too late: the second one holds it now.
      expect(await events().finish(stored.id, 1, { status: 'processed', at: at(31) })).toBe(false);
      expect(
        await events().finish(stored.id, 2, {
          status: 'received',
          nextAttemptAt: at(90),
          error: 'x'.repeat(600),
        }),
      ).toBe(true);
      const waiting = await events().findInEndpoint(endpointId, stored.id);
      expect(waiting).toMatchObject({ status: 'received', attempts: 2, nextAttemptAt: at(90) });
      expect(waiting?.lastError).toHaveLength(500);
      expect(await events().claim(stored.id, at(89), at(120))).toBeNull();
      expect((await events().claim(stored.id, at(90), at(120)))?.attempts).toBe(3);
      expect(
        await events().finish(stored.id, 3, { status: 'failed', at: at(91), error: 'gave up' }),
      ).toBe(true);
      expect(await events().claim(stored.id, at(500), at(600))).toBeNull();
      expect(await events().findInEndpoint(endpointId, stored.id)).toMatchObject({
        status: 'failed',
        attempts: 3,
        nextAttemptAt: null,
        processedAt: at(91),
        lastError: 'gave up',
      });
    });

    it('replays only settled events, and pages them newest first by status', async () => {
      const { id: endpointId } = await endpoint();
      const [done, pending] = [event(endpointId), event(endpointId)];
      for (const each of [done, pending]) await events().insertIfNew(each);
      await events().claim(done.id, at(0), at(30));
      await events().finish(done.id, 1, { status: 'processed', at: at(1) });
      expect(await events().replay(endpointId, pending.id, at(2))).toBeNull();
      expect(await events().replay(uuidv7(), done.id, at(2))).toBeNull();
      expect(
        (await events().listPage({ endpointId, limit: 5 })).map((row) => [row.id, row.status]),
      ).toEqual([
        [pending.id, 'received'],
        [done.id, 'processed'],
      ]);
      expect(
        (await events().listPage({ endpointId, status: 'processed', limit: 5 })).map(
          (row) => row.id,
        ),
      ).toEqual([done.id]);
      expect(
        (await events().listPage({ endpointId, beforeId: pending.id, limit: 5 })).map(
          (row) => row.id,
        ),
      ).toEqual([done.id]);
      expect(await events().replay(endpointId, done.id, at(2))).toEqual({
        id: done.id,
        attempt: 1,
      });
      expect(await events().findInEndpoint(endpointId, done.id)).toMatchObject({
        status: 'received',
        attempts: 0,
        nextAttemptAt: at(2),
        processedAt: null,
      });
      const listed = await events().findInEndpoint(endpointId, done.id);
      expect((listed as Record<string, unknown> | null)?.body).toBeUndefined();
    });

    it('prunes settled events by age and status, never one still to be processed', async () => {
      const { id: endpointId } = await endpoint();
      const [processed, failed, pending] = [
        event(endpointId),
        event(endpointId),
        event(endpointId),
      ];
      for (const each of [processed, failed, pending]) await events().insertIfNew(each);
      await events().claim(processed.id, at(0), at(30));
      await events().finish(processed.id, 1, { status: 'processed', at: at(1) });
      await events().claim(failed.id, at(0), at(30));
      await events().finish(failed.id, 1, { status: 'failed', at: at(1), error: 'x' });
      const left = async () =>
        (await events().listPage({ endpointId, limit: 10 })).map((row) => row.id).sort();
      expect(await events().pruneSettled(at(1), at(1), 10)).toBe(0);
      expect(await events().pruneSettled(null, null, 10)).toBe(0);
      expect(await events().pruneSettled(at(2), null, 10)).toBeGreaterThanOrEqual(1);
      expect(await left()).toEqual([failed.id, pending.id].sort());
      while ((await events().pruneSettled(at(3600), at(3600), 1)) > 0);
      expect(await left()).toEqual([pending.id]);
    });

    it('says when the longest-waiting event still to be processed became due', async () => {
      const { id: endpointId } = await endpoint();
      // A day before anything else in this store: the oldest, whatever other tests left.
      const waiting = event(endpointId, { nextAttemptAt: at(-86_400), receivedAt: at(-86_400) });
      await events().insertIfNew(waiting);
      expect(await events().oldestDueAt()).toEqual(at(-86_400));
      // Processing (a lease) still counts, from the lease's end; settled does not.
      await events().claim(waiting.id, at(-86_400), at(-86_000));
      expect(await events().oldestDueAt()).toEqual(at(-86_000));
      await events().finish(waiting.id, 1, { status: 'processed', at: at(-85_990) });
      const after = await events().oldestDueAt();
      expect(after === null || after.getTime() > at(-86_000).getTime()).toBe(true);
    });

    it('lists due events by id after a cursor', async () => {
      const { id: endpointId } = await endpoint();
      const due = [event(endpointId), event(endpointId), event(endpointId)];
      for (const each of due) await events().insertIfNew(each);
      const mine = (rows: Array<{ id: string }>) =>
        rows.filter((row) => due.some((each) => each.id === row.id)).map((row) => row.id);
      expect(mine(await events().findDue(at(0), null, 1_000))).toEqual(due.map((each) => each.id));
      expect(mine(await events().findDue(at(0), due[0].id, 1_000))).toEqual([due[1].id, due[2].id]);
      expect(mine(await events().findDue(at(-1), null, 1_000))).toEqual([]);
    });
  });
});
