import { WebhookAttempt, WebhookDelivery } from './support/internals';
import { TEST_DATABASES } from './support/services';
import { useStoreContract } from './support/storage-contract';

/** The storage port's contract for recording attempts, on every store implementation (see the deliveries'). */
describe.each(TEST_DATABASES)('storage contract on %s: attempts', (database) => {
  const store = useStoreContract(database);
  const { at, subscription, event, record, deliveryRow } = store;

  describe('AttemptStore', () => {
    it('writes attempts and moves each delivery only from the attempt before, first record of a batch only', async () => {
      await subscription();
      const [id, other] = (await store.writeIds([event(), event()])).flat();

      const firstBatch = await store.attempts.record([
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

      expect(await store.attempts.record([record(id, 1)])).toEqual([false]);

      const written = await store.attempts.listForDeliveries([id, other]);
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
      expect(
        await store.hooks.dataSource.getRepository(WebhookAttempt).countBy({ deliveryId: id }),
      ).toBe(3);
    });
    it('keeps no answer of an attempt on a cancelled delivery (its subject was erased)', async () => {
      await subscription();
      const [id] = (await store.writeIds([event()])).flat();
      await store.hooks.dataSource
        .getRepository(WebhookDelivery)
        .update({ id }, { status: 'cancelled', nextAttemptAt: null });

      expect(await store.attempts.record([record(id, 1)])).toEqual([false]);

      expect(await deliveryRow(id)).toMatchObject({ status: 'cancelled', attempts: 0 });
      const [written] = await store.attempts.listForDeliveries([id]);
      expect(written).toMatchObject({ statusCode: 500, responseExcerpt: null });
    });
  });
});
