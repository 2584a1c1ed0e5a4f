import { v7 as uuidv7 } from 'uuid';
import { DeliveryStore, WebhookDelivery, type DeliveryStatus } from './support/internals';
import { createSubscription } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const SETTLED = 3_000;

/**
 * On the databases with partial indexes, the due index holds unfinished deliveries only, so a
 * delivery that succeeds adds no entry to it and a long history does not slow the relay. The
 * lookups that read unfinished deliveries must still be able to use it: SQLite does so only when the
 * query spells the index's statuses (a bound parameter never matches its predicate).
 */
describe.each(['postgres', 'sqlite'] as const)('the due index on %s', (database) => {
  let hooks: WebhooksTestApp;
  let store: DeliveryStore;
  const subscriptionId = uuidv7();
  const orphanedSubscriptionId = uuidv7();
  const past = (seconds: number) => new Date(Date.now() - seconds * 1000);
  const ids = { due: [] as string[], held: [] as string[], later: '', settled: '' };

  beforeAll(async () => {
    hooks = await createWebhooksApp({ database, options: { worker: false } });
    store = hooks.app.get(DeliveryStore);
    const row = (status: DeliveryStatus, nextAttemptAt: Date | null, owner = subscriptionId) => ({
      id: uuidv7(),
      eventId: uuidv7(),
      subscriptionId: owner,
      tenantId: 'default',
      status,
      attempts: status === 'pending' ? 0 : 1,
      nextAttemptAt,
    });
    const settled = Array.from({ length: SETTLED }, (_, index) =>
      row(index % 10 === 0 ? 'exhausted' : 'succeeded', null),
    );
    const due = [row('pending', past(30)), row('failed', past(20)), row('pending', past(10))];
    const held = [row('held', null), row('held', null)];
    const later = row('pending', new Date(Date.now() + 3_600_000));
    const orphaned = row('held', null, orphanedSubscriptionId);
    Object.assign(ids, {
      due: due.map((delivery) => delivery.id),
      held: held.map((delivery) => delivery.id),
      later: later.id,
      settled: settled[0].id,
    });
    const deliveries = hooks.dataSource.getRepository(WebhookDelivery);
    const rows = [...settled, ...due, ...held, later, orphaned];
    for (let start = 0; start < rows.length; start += 500)
      await deliveries.insert(rows.slice(start, start + 500));
    await hooks.dataSource.query(
      database === 'postgres'
        ? `VACUUM ANALYZE ${tableOf(hooks, 'webhook_deliveries')}`
        : 'ANALYZE',
    );
  });
  afterAll(() => hooks.close());

  it('holds the unfinished deliveries only', async () => {
    // Counted by the database's own statistics of the index, just taken.
    const [{ entries }] = await hooks.dataSource.query<Array<{ entries: string | number }>>(
      database === 'postgres'
        ? `SELECT reltuples AS entries FROM pg_class
            WHERE oid = '${tableOf(hooks, 'IDX_webhook_deliveries_due')}'::regclass`
        : `SELECT CAST(stat AS INTEGER) AS entries FROM sqlite_stat1
            WHERE idx = 'IDX_webhook_deliveries_due'`,
    );
    expect(Number(entries)).toBe(7);
  });

  it('gives the relay the due deliveries in id order, through the due index', async () => {
    const { result, plans } = await withPlans(hooks, () => store.findDue(new Date(), null, 10));
    expect(result).toEqual([
      { deliveryId: ids.due[0], attempt: 1 },
      { deliveryId: ids.due[1], attempt: 2 },
      { deliveryId: ids.due[2], attempt: 1 },
    ]);
    expect(plans).toEqual([expect.stringContaining('IDX_webhook_deliveries_due')]);
  });

  it('finds the oldest due time through the due index', async () => {
    const { result, plans } = await withPlans(hooks, () => store.oldestDueAt());
    expect(result?.getTime()).toBeLessThan(past(25).getTime());
    expect(plans).toEqual([expect.stringContaining('IDX_webhook_deliveries_due')]);
  });

  it('releases held deliveries through the due index', async () => {
    const { result, plans } = await withPlans(hooks, () =>
      store.releaseHeld(subscriptionId, 10, new Date()),
    );
    expect(result.map((ref) => ref.deliveryId)).toEqual(ids.held);
    expect(plans[0]).toContain('IDX_webhook_deliveries_due');

    const orphans = await withPlans(hooks, () => store.releaseOrphanedHolds(new Date()));
    expect(orphans.plans[0]).toContain('IDX_webhook_deliveries_due');
    const released = await hooks.dataSource
      .getRepository(WebhookDelivery)
      .findOneByOrFail({ subscriptionId: orphanedSubscriptionId });
    // Its subscription does not exist, so it is no orphan of an active one: it stays held.
    expect(released.status).toBe('held');
  });

  it('tells a keyed delivery behind an earlier one with its load, through the ordering index', async () => {
    await createSubscription(hooks, 'turns', {
      url: 'http://127.0.0.1:9/turns',
      events: ['contact.updated'],
    });
    const emit = (orderingKey?: string) =>
      hooks.webhooks.emit(
        { listId: 'turns', type: 'contact.updated', source: 'api', data: {} },
        { orderingKey },
      );
    const emitted = [await emit('contact-1'), await emit('contact-1'), await emit('contact-2')];
    const unkeyed = await emit();
    const deliveryIds = [...emitted, unkeyed].map((result) => result.deliveryIds[0]);

    const { result: loaded, plans } = await withPlans(hooks, () =>
      store.loadForAttempts(deliveryIds),
    );
    expect(loaded.map((row) => row?.behindEarlier)).toEqual([false, true, false, false]);
    expect(plans).toEqual([expect.stringContaining('IDX_webhook_deliveries_ordering')]);
  });

  it('keeps settled deliveries out of the lookups', async () => {
    const due = await store.findDue(new Date(Date.now() + 7_200_000), null, 10);
    expect(due.map((ref) => ref.deliveryId)).toEqual(
      expect.arrayContaining([...ids.due, ids.later]),
    );
    expect(due.map((ref) => ref.deliveryId)).not.toContain(ids.settled);
  });
});

function tableOf(hooks: WebhooksTestApp, table: string): string {
  return `"${hooks.database.schema}"."${table}"`;
}

/** Runs `run` and explains each statement it sent, on the connection's own dialect. */
async function withPlans<T>(
  hooks: WebhooksTestApp,
  run: () => Promise<T>,
): Promise<{ result: T; plans: string[] }> {
  const { logger } = hooks.dataSource;
  const sent: Array<{ query: string; parameters?: unknown[] }> = [];
  const logQuery = logger.logQuery.bind(logger);
  logger.logQuery = (query, parameters, runner) => {
    sent.push({ query, parameters: Array.isArray(parameters) ? parameters : undefined });
    logQuery(query, parameters, runner);
  };
  let result: T;
  try {
    result = await run();
  } finally {
    logger.logQuery = logQuery;
  }
  const postgres = hooks.dataSource.options.type === 'postgres';
  const plans: string[] = [];
  for (const { query, parameters } of sent) {
    if (!/^\s*(SELECT|UPDATE)/i.test(query)) continue;
    const rows = await hooks.dataSource.query<Array<Record<string, unknown>>>(
      `${postgres ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'} ${query}`,
      parameters,
    );
    plans.push(rows.map((row) => String(postgres ? row['QUERY PLAN'] : row.detail)).join('\n'));
  }
  return { result, plans };
}
