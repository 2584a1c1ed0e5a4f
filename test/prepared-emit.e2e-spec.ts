import { WebhookStorageError } from 'nestjs-marketing-webhooks';
import { QueryFailedError, type EntityManager } from 'typeorm';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const LIST = 'prepared';
/** Never called: these apps run no worker. */
const RECEIVER = 'http://127.0.0.1:9/hook';

/** The statements prepared on `manager`'s connection, as PostgreSQL lists them for its session. */
async function preparedOn(manager: EntityManager): Promise<Array<{ name: string; runs: number }>> {
  const rows = await manager.query<Array<{ name: string; runs: string }>>(
    `SELECT name, generic_plans + custom_plans AS runs FROM pg_prepared_statements
      WHERE name LIKE 'nest_hooks_%'`,
  );
  return rows.map((row) => ({ name: row.name, runs: Number(row.runs) }));
}

/** Emits `count` events in one host transaction and says what its connection had prepared then. */
async function emitInTransaction(hooks: WebhooksTestApp, count: number) {
  return hooks.dataSource.transaction(async (manager) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      const { deliveryIds } = await hooks.webhooks.emit(
        { listId: LIST, type: 'contact.updated', source: 'api', data: { index } },
        { manager },
      );
      ids.push(...deliveryIds);
    }
    return { ids, prepared: await preparedOn(manager) };
  });
}

/**
 * PostgreSQL: the emit's statement is a named prepared statement of the connection it runs on (the
 * host's transaction's, when it has one), unless `preparedStatements` is off.
 */
describe('the emit statement on PostgreSQL', () => {
  describe('prepared (the default)', () => {
    let hooks: WebhooksTestApp;
    beforeAll(async () => {
      hooks = await createWebhooksApp({ database: 'postgres', options: { worker: false } });
      await createSubscription(hooks, LIST, { url: RECEIVER, events: ['contact.updated'] });
    });
    afterAll(() => hooks.close());

    it("is prepared once on the host transaction's connection and run from there", async () => {
      const { ids, prepared } = await emitInTransaction(hooks, 7);
      expect(ids).toHaveLength(7);
      expect(prepared).toEqual([{ name: expect.stringMatching(/^nest_hooks_\w{24}$/), runs: 7 }]);
    });

    it('fails as a TypeORM query does, and the statement goes on working', async () => {
      const table = `"${hooks.database.schema}"."webhook_events"`;
      await hooks.dataSource.query(
        `ALTER TABLE ${table} ADD CONSTRAINT no_emit CHECK (false) NOT VALID`,
      );
      try {
        const failure: unknown = await hooks.webhooks
          .emit({ listId: LIST, type: 'contact.updated', source: 'api', data: {} })
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(WebhookStorageError);
        const { cause } = failure as WebhookStorageError;
        expect(cause).toBeInstanceOf(QueryFailedError);
        expect(cause).toMatchObject({ message: expect.stringContaining('no_emit') });
      } finally {
        await hooks.dataSource.query(`ALTER TABLE ${table} DROP CONSTRAINT no_emit`);
      }
      // The plan made before the constraint changed is replaced: the next emits commit.
      const { ids } = await emitInTransaction(hooks, 2);
      expect(ids).toHaveLength(2);
    });
  });

  describe('with preparedStatements: false', () => {
    let hooks: WebhooksTestApp;
    beforeAll(async () => {
      hooks = await createWebhooksApp({
        database: 'postgres',
        options: { worker: false, preparedStatements: false },
      });
      await createSubscription(hooks, LIST, { url: RECEIVER, events: ['contact.updated'] });
    });
    afterAll(() => hooks.close());

    it('is sent unnamed, as TypeORM sends its own', async () => {
      const { ids, prepared } = await emitInTransaction(hooks, 3);
      expect(ids).toHaveLength(3);
      expect(prepared).toEqual([]);
    });
  });
});
