import { v7 as uuidv7 } from 'uuid';
import { TEST_DATABASES } from './support/services';
import { useStoreContract } from './support/storage-contract';

/** The storage port's contract for subscriptions and endpoint health, on every database. */
describe.each(TEST_DATABASES)(
  'storage contract on %s: subscriptions, endpoint health',
  (database) => {
    const store = useStoreContract(database);
    const { at, subscription, event, record } = store;

    describe('SubscriptionStore', () => {
      it('inserts within a limit, finds and pages within a scope only', async () => {
        const scope = { tenantId: store.tenant, listId: 'list-1' };
        const ids = [
          (await subscription()).id,
          (await subscription()).id,
          (await subscription()).id,
        ];
        await subscription({ listId: 'list-2' });
        const fourth = { ...(await store.subscriptions.findById(ids[0]))!, id: uuidv7() };
        expect(await store.subscriptions.insertWithin(fourth, 3)).toBeNull();
        expect(await store.subscriptions.findById(fourth.id)).toBeNull();
        expect(await store.subscriptions.insertWithin(fourth, 4)).toMatchObject({ id: fourth.id });
        ids.push(fourth.id);
        expect(await store.subscriptions.findInScope(scope, ids[0])).toMatchObject({ id: ids[0] });
        expect(
          await store.subscriptions.findInScope({ ...scope, listId: 'list-2' }, ids[0]),
        ).toBeNull();
        expect(
          (await store.subscriptions.listPage(scope, undefined, 2)).map((row) => row.id),
        ).toEqual([ids[3], ids[2]]);
        expect((await store.subscriptions.listPage(scope, ids[2], 5)).map((row) => row.id)).toEqual(
          [ids[1], ids[0]],
        );
        expect(await store.subscriptions.statusOf(ids[0])).toBe('active');
        expect(await store.subscriptions.statusOf(uuidv7())).toBeNull();
      });

      it('changes state only from the state the caller saw', async () => {
        const { id, url } = await subscription();
        expect(await store.subscriptions.updateIfStatus(id, 'paused', { name: 'stale' })).toBe(
          false,
        );
        expect(await store.subscriptions.updateIfStatus(id, 'active', { status: 'paused' })).toBe(
          true,
        );

        expect(await store.subscriptions.disable(id, 'x'.repeat(600), at(0))).toBe(true);
        expect(await store.subscriptions.disable(id, 'again', at(0))).toBe(false);
        const disabled = await store.subscriptions.findById(id);
        expect(disabled).toMatchObject({ status: 'disabled', disabledAt: at(0) });
        expect(disabled?.disabledReason).toHaveLength(500);

        expect(
          await store.subscriptions.activate(id, { from: 'disabled', url: 'https://moved/' }),
        ).toBe(false);
        expect(await store.subscriptions.activate(id, { from: 'paused', url })).toBe(false);
        expect(await store.subscriptions.activate(id, { from: 'disabled', url })).toBe(true);
        expect(await store.subscriptions.findById(id)).toMatchObject({
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
        expect(await store.subscriptions.activate(id, { from, url, challenge: 'old' })).toBe(false);
        expect(await store.subscriptions.activate(id, { from, url, challenge: null })).toBe(false);
        expect(
          await store.subscriptions.activate(id, { from, url, challenge: 'challenge-1' }),
        ).toBe(true);
        expect((await store.subscriptions.findById(id))?.verificationChallenge).toBeNull();
      });

      it('rotates a secret once from the current one, and not again too soon', async () => {
        const { id } = await subscription();
        const rotation = (current: string, secret: string) => ({
          current,
          secret,
          currentExpiresAt: at(60),
          latestPreviousExpiry: at(50),
        });
        expect(
          await store.subscriptions.rotateSecret(id, rotation('whsec_current', 'whsec_next')),
        ).toBe(true);
        expect(
          await store.subscriptions.rotateSecret(id, rotation('whsec_current', 'whsec_lost')),
        ).toBe(false);
        expect(
          await store.subscriptions.rotateSecret(id, rotation('whsec_next', 'whsec_soon')),
        ).toBe(false);
        expect(await store.subscriptions.findById(id)).toMatchObject({
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
        await store.subscriptions.markTestSucceeded(due.id, at(0));
        expect((await store.subscriptions.findById(due.id))?.lastTestSucceededAt).toEqual(at(0));

        const found = await store.subscriptions.findDueForProbe(at(-3600), 1_000);
        const mine = found.filter((row) => row.tenantId === store.tenant).map((row) => row.id);
        expect(mine).toEqual([due.id]);
        await store.subscriptions.markProbed(due.id, at(0));
        expect((await store.subscriptions.findById(due.id))?.lastProbedAt).toEqual(at(0));
        expect(probed.id).not.toBe(due.id);
        expect(await store.subscriptions.countWithStatus('disabled')).toBeGreaterThanOrEqual(3);
      });

      it('removes a subscription with its deliveries and their attempts, and nothing else', async () => {
        const removed = await subscription();
        const kept = await subscription({ listId: 'list-2' });
        const [[gone]] = await store.writeIds([event()]);
        const [[stays]] = await store.writeIds([event({ listId: 'list-2' })]);
        await store.attempts.record([record(gone, 1), record(stays, 1)]);

        await store.subscriptions.removeWithHistory(
          { tenantId: store.tenant, listId: 'list-1' },
          removed.id,
        );

        expect(await store.subscriptions.findById(removed.id)).toBeNull();
        expect(await store.subscriptions.findById(kept.id)).not.toBeNull();
        expect(await store.deliveries.loadForAttempts([gone, stays])).toEqual([
          null,
          expect.objectContaining({}),
        ]);
        expect(await store.attempts.listForDeliveries([gone])).toEqual([]);
        expect(await store.attempts.listForDeliveries([stays])).toHaveLength(1);
      });
    });

    describe('EndpointHealthStore', () => {
      it('counts failures from the first one, resets on success and finds sustained failures', async () => {
        const failing = await subscription();
        const recovering = await subscription();
        const paused = await subscription({ status: 'paused' });
        const ids = [failing.id, recovering.id, paused.id];

        await store.health.addFailures(ids, 2, at(-7200));
        await store.health.addFailures(ids, 1, at(-60));
        expect(await store.subscriptions.findById(failing.id)).toMatchObject({
          consecutiveFailures: 3,
          failingSince: at(-7200),
        });

        await store.health.recordSuccesses([recovering.id], at(0));
        expect(await store.subscriptions.findById(recovering.id)).toMatchObject({
          consecutiveFailures: 0,
          failingSince: null,
          lastSuccessAt: at(0),
        });

        expect(await store.health.findSustainedFailures(ids, 3, at(-3600))).toEqual([failing.id]);
        expect(await store.health.findSustainedFailures(ids, 4, at(-3600))).toEqual([]);
        expect(await store.health.findSustainedFailures(ids, 3, at(-8000))).toEqual([]);
        expect(await store.health.findSustainedFailures([], 1, at(0))).toEqual([]);
      });
    });
  },
);
