import { WebhooksTransactions } from 'nestjs-marketing-webhooks';
import { TEST_DATABASES, uniqueName, type TestDatabase } from './support/services';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/** A pool of two connections whose checkout fails soon rather than waiting for a free one. */
const TWO_CONNECTIONS: Record<TestDatabase, Record<string, unknown> | undefined> = {
  postgres: { max: 2, connectionTimeoutMillis: 5_000 },
  mariadb: { connectionLimit: 2, waitForConnections: false },
  sqlite: undefined,
};
const CALLERS = 10;

function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** `WebhooksTransactions.runExclusive` within one process: the callers of one name queue in memory. */
describe.each(TEST_DATABASES)('runExclusive on %s', (database) => {
  let hooks: WebhooksTestApp;
  let transactions: WebhooksTransactions;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database,
      // No worker: the test's queries are the only ones of the pool.
      options: { worker: false },
      databaseExtra: TWO_CONNECTIONS[database],
    });
    transactions = hooks.app.get(WebhooksTransactions);
  });
  afterAll(() => hooks.close());

  it('runs the callers of one name one at a time, in order, on one connection of the pool', async () => {
    const name = uniqueName('exclusive');
    const entered: number[] = [];
    let inside = 0;
    let mostInside = 0;
    const headInside = gate();
    const release = gate();
    const callers = Array.from({ length: CALLERS }, (_, caller) =>
      transactions.runExclusive(name, async (manager) => {
        inside += 1;
        mostInside = Math.max(mostInside, inside);
        entered.push(caller);
        if (entered.length === 1) {
          headInside.open();
          await release.opened;
        }
        await manager.query('SELECT 1');
        inside -= 1;
        return caller;
      }),
    );

    await headInside.opened;
    try {
      // The head holds the lock and nine callers wait for it: the pool's other connection is free
      // only if they wait in memory rather than each on a connection of its own.
      await hooks.dataSource.query('SELECT 1');
    } finally {
      release.open();
    }
    const inOrder = Array.from({ length: CALLERS }, (_, caller) => caller);
    expect(await Promise.all(callers)).toEqual(inOrder);
    expect(entered).toEqual(inOrder);
    expect(mostInside).toBe(1);
  });

  it('goes on with the next callers when one fails', async () => {
    const name = uniqueName('exclusive');
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map((caller) =>
        transactions.runExclusive(name, async (manager) => {
          await manager.query('SELECT 1');
          if (caller === 1) throw new Error('caller 1 failed');
          return caller;
        }),
      ),
    );
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 0 },
      { status: 'rejected', reason: new Error('caller 1 failed') },
      { status: 'fulfilled', value: 2 },
    ]);
    await expect(transactions.runExclusive(name, () => Promise.resolve('later'))).resolves.toBe(
      'later',
    );
  });
});
