import { Registry } from 'prom-client';
import request from 'supertest';
import type { App } from 'supertest/types';
import { In, type QueryRunner } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  DeliveryWorker,
  HistoryPruner,
  HistoryStore,
  WEBHOOKS_OPTIONS,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEvent,
  WebhooksMetrics,
  type DeliveryStatus,
} from './support/internals';
import { eventually } from './support/eventually';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, listDeliveries, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const DAY = 86_400_000;

/** A delivery as seeded: its status, and whether a retry is due (failed ones). */
type Seeded = DeliveryStatus | 'failed, retry due';

/**
 * Transactions waiting, directly or behind another waiter, for a lock of the backend `$1`. Read
 * from another session: PostgreSQL shows a transaction the activity of the others as it was when
 * it first looked.
 */
const POSTGRES_WAITING = `WITH RECURSIVE waiting(pid) AS (
    SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))
    UNION
    SELECT activity.pid FROM pg_stat_activity activity, waiting
    WHERE waiting.pid = ANY(pg_blocking_pids(activity.pid))
  )
  SELECT count(*) AS waiting FROM waiting`;

/**
 * Transactions waiting for a lock this session holds (InnoDB lists a waiter once per lock ahead of it
 * in the queue, granted or waiting, so ours too). InnoDB's lock tables are a copy, refreshed only once
 * nobody has read them for 100 ms: a read may show an earlier moment, even one when this connection
 * served another transaction. So a copy counts only if it shows this session running this very
 * statement, whose `?` is a token new for each read.
 */
const MARIADB_WAITING = `SELECT COUNT(DISTINCT waits.requesting_trx_id) AS waiting
  FROM information_schema.INNODB_TRX holder
  LEFT JOIN information_schema.INNODB_LOCK_WAITS waits ON waits.blocking_trx_id = holder.trx_id
  WHERE holder.trx_mysql_thread_id = CONNECTION_ID() AND holder.trx_query LIKE ?
  GROUP BY holder.trx_id`;
const MARIADB_WAITING_POLL_MS = 150;

describe.each(TEST_DATABASES)('history retention on %s', (database) => {
  let hooks: WebhooksTestApp;
  let receiver: TestReceiver;
  let registry: Registry;

  beforeAll(async () => {
    receiver = await TestReceiver.start();
    registry = new Registry();
    hooks = await createWebhooksApp({
      database,
      options: {
        delivery: { relayIntervalMs: 0 },
        retention: {
          settledAfterMs: 30 * DAY,
          failedAfterMs: 90 * DAY,
          pruneEveryMs: 0,
          batchSize: 2,
        },
        metrics: { registry, prefix: 'retention_' },
      },
    });
  });
  afterAll(async () => {
    await hooks.close();
    await receiver.close();
  });

  /** An event `ageDays` old with one delivery of each status given, each with one attempt. */
  async function seed(now: number, ageDays: number, deliveries: Seeded[]): Promise<string> {
    const manager = hooks.dataSource.manager;
    const eventId = uuidv7({ msecs: now - ageDays * DAY });
    await manager.insert(WebhookEvent, {
      id: eventId,
      tenantId: 'seed',
      listId: 'seed',
      type: 'contact.updated',
      source: 'api',
      data: { ageDays },
      occurredAt: new Date(now - ageDays * DAY),
    });
    for (const seeded of deliveries) {
      const deliveryId = uuidv7();
      await manager.insert(WebhookDelivery, {
        id: deliveryId,
        eventId,
        subscriptionId: uuidv7(),
        tenantId: 'seed',
        status: seeded === 'failed, retry due' ? 'failed' : seeded,
        attempts: 1,
        nextAttemptAt: seeded === 'failed, retry due' ? new Date(now + DAY) : null,
      });
      await manager.insert(WebhookAttempt, {
        id: uuidv7(),
        deliveryId,
        attemptNumber: 1,
        durationMs: 5,
        createdAt: new Date(now - ageDays * DAY),
      });
    }
    return eventId;
  }

  async function remaining(eventIds: string[]) {
    const manager = hooks.dataSource.manager;
    const events = await manager.findBy(WebhookEvent, { id: In(eventIds) });
    const deliveries = await manager.findBy(WebhookDelivery, { eventId: In(eventIds) });
    const attempts = await manager.countBy(WebhookAttempt, {
      deliveryId: In(deliveries.map((delivery) => delivery.id)),
    });
    return {
      events: events.map((event) => event.id).sort(),
      deliveries: deliveries.length,
      attempts,
    };
  }

  it('prunes settled events past their age with their deliveries and attempts, and keeps the rest', async () => {
    const now = Date.now();
    const gone = [
      await seed(now, 40, ['succeeded', 'succeeded']),
      await seed(now, 40, []),
      await seed(now, 100, ['exhausted', 'succeeded']),
      await seed(now, 100, ['failed']),
    ];
    const kept = [
      await seed(now, 40, ['succeeded', 'pending']),
      await seed(now, 40, ['held']),
      await seed(now, 40, ['failed, retry due']),
      await seed(now, 40, ['exhausted']),
      await seed(now, 100, ['pending', 'exhausted']),
      await seed(now, 10, ['succeeded']),
      await seed(now, 10, []),
    ];

    const pruned = await hooks.app.get(HistoryPruner).prune(new Date(now));

    expect(pruned).toEqual({ events: 4, deliveries: 5, attempts: 5 });
    expect(await remaining(gone)).toEqual({ events: [], deliveries: 0, attempts: 0 });
    expect(await remaining(kept)).toEqual({ events: [...kept].sort(), deliveries: 8, attempts: 8 });
    const metric = await registry.getSingleMetric('retention_history_pruned_rows_total')?.get();
    expect(metric?.values.map(({ labels, value }) => [labels.table, value]).sort()).toEqual([
      ['attempts', 5],
      ['deliveries', 5],
      ['events', 4],
    ]);

    // Nothing left to prune as of the same time: the pass proves it.
    expect(await hooks.app.get(HistoryPruner).prune(new Date(now))).toEqual({
      events: 0,
      deliveries: 0,
      attempts: 0,
    });
  });

  it('keeps failed history forever when failedAfterMs is 0, and everything when both are', async () => {
    const now = Date.now() + 1_000 * DAY;
    const exhausted = await seed(now, 500, ['exhausted']);
    const succeeded = await seed(now, 500, ['succeeded']);
    const pruner = (retentionSettledAfterMs: number, retentionFailedAfterMs: number) =>
      new HistoryPruner(
        {
          ...hooks.app.get(WEBHOOKS_OPTIONS),
          retentionSettledAfterMs,
          retentionFailedAfterMs,
        },
        hooks.queue,
        hooks.app.get(HistoryStore),
        hooks.app.get(WebhooksMetrics),
        hooks.app.get(DeliveryWorker),
      );

    expect(await pruner(0, 0).prune(new Date(now))).toEqual({
      events: 0,
      deliveries: 0,
      attempts: 0,
    });
    // Earlier tests' history is as old by then: only these two events are looked at here.
    await pruner(30 * DAY, 0).prune(new Date(now));
    expect((await remaining([exhausted, succeeded])).events).toEqual([exhausted]);
  });

  it('prunes what the worker delivered once it is old enough, one pruner at a time', async () => {
    const subscription = await createSubscription(hooks, 'delivered', {
      url: receiver.url('/delivered'),
      events: ['contact.subscribed'],
    });
    const { eventId } = await hooks.webhooks.emit({
      listId: 'delivered',
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'ada@example.com' },
    });
    await waitForDelivery(hooks, 'delivered', subscription.id, 'succeeded');
    const pruner = hooks.app.get(HistoryPruner);

    expect((await pruner.prune(new Date(Date.now() + 29 * DAY))).events).toBe(0);
    expect((await remaining([eventId])).events).toEqual([eventId]);

    const lockKey = hooks.queue.toKey('prune-history:lock');
    await hooks.queue.client.set(lockKey, 'another worker');
    expect(await pruner.pruneExclusively(new Date(Date.now() + 31 * DAY))).toBeNull();
    expect((await remaining([eventId])).events).toEqual([eventId]);
    await hooks.queue.client.del(lockKey);

    expect(await pruner.pruneExclusively(new Date(Date.now() + 31 * DAY))).toMatchObject({
      deliveries: 1,
      attempts: 1,
    });
    expect(await remaining([eventId])).toEqual({ events: [], deliveries: 0, attempts: 0 });
    expect(await hooks.queue.client.exists(lockKey)).toBe(0);
  });

  /** Resolves once `count` transactions wait for the locks `holder` holds. */
  async function waitingBehind(holder: QueryRunner, count: number, what: string): Promise<void> {
    type Waiting = Array<{ waiting: number | string }>;
    if (database === 'postgres') {
      const [{ pid }] = (await holder.query('SELECT pg_backend_pid() AS pid')) as Array<{
        pid: number;
      }>;
      await eventually(
        async () => {
          const [row] = await hooks.dataSource.query<Waiting>(POSTGRES_WAITING, [pid]);
          return Number(row.waiting) >= count;
        },
        { what },
      );
      return;
    }
    await eventually(
      async () => {
        const [row] = (await holder.query(MARIADB_WAITING, [`%${uuidv7()}%`])) as Waiting;
        return row !== undefined && Number(row.waiting) >= count;
      },
      { what, pollMs: MARIADB_WAITING_POLL_MS },
    );
  }

  /**
   * Runs `queueBehind` while a session of ours holds the delivery's row (what it starts then waits
   * for the row, in the order it started), then lets the row go.
   */
  async function whileRowHeld(
    deliveryId: string,
    queueBehind: (holder: QueryRunner) => Promise<void>,
  ): Promise<void> {
    const holder = hooks.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.manager
        .createQueryBuilder(WebhookDelivery, 'delivery')
        .setLock('pessimistic_write')
        .where('delivery.id = :id', { id: deliveryId })
        .getOneOrFail();
      await queueBehind(holder);
      await holder.commitTransaction();
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  }

  /** An event the worker delivered to `/<listId>` of the receiver, settled. */
  async function deliveredEvent(listId: string) {
    const subscription = await createSubscription(hooks, listId, {
      url: receiver.url(`/${listId}`),
      events: ['contact.subscribed'],
    });
    const { eventId } = await hooks.webhooks.emit({
      listId,
      type: 'contact.subscribed',
      source: 'api',
      data: { email: 'grace@example.com' },
    });
    const delivery = await waitForDelivery(hooks, listId, subscription.id, 'succeeded');
    return { subscriptionId: subscription.id, eventId, deliveryId: delivery.id };
  }

  function redeliver(listId: string, subscriptionId: string, deliveryId: string) {
    return request(hooks.app.getHttpServer() as App)
      .post(`/lists/${listId}/webhooks/${subscriptionId}/deliveries/${deliveryId}/redeliver`)
      .then((response) => response);
  }

  /** The pass that finds the events delivered above old enough: 31 days from now. */
  function pruneLater() {
    return hooks.app.get(HistoryPruner).prune(new Date(Date.now() + 31 * DAY));
  }

  // SQLite has no row locks to order the two: its transactions run one after another.
  const withRowLocks = database === 'sqlite' ? it.skip : it;

  withRowLocks(
    'keeps an event whose delivery is redelivered while its batch is being pruned',
    async () => {
      const { subscriptionId, eventId, deliveryId } = await deliveredEvent('redelivered');

      // The prune has scanned the delivery as settled when its delete transaction queues.
      let redelivery!: ReturnType<typeof redeliver>;
      let pruning!: ReturnType<typeof pruneLater>;
      await whileRowHeld(deliveryId, async (holder) => {
        redelivery = redeliver('redelivered', subscriptionId, deliveryId);
        await waitingBehind(holder, 1, 'the redelivery to wait for the row');
        pruning = pruneLater();
        await waitingBehind(holder, 2, 'the prune to wait for the row behind the redelivery');
      });

      const answer = await redelivery;
      await pruning;
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ deliveryId, attempt: 2, merged: false });
      expect(await remaining([eventId])).toMatchObject({ events: [eventId], deliveries: 1 });
      const [first, second] = await receiver.waitFor(2, { path: '/redelivered' });
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      const after = await eventually(async () => {
        const [delivery] = (await listDeliveries(hooks, 'redelivered', subscriptionId)).data;
        return delivery.status === 'succeeded' && delivery.attempts.length === 2
          ? delivery
          : undefined;
      });
      expect(after.attempts.map((attempt) => attempt.trigger)).toEqual(['scheduled', 'redelivery']);
    },
  );

  withRowLocks(
    'answers 404 to a redelivery that waited for the prune of its delivery',
    async () => {
      const { subscriptionId, eventId, deliveryId } = await deliveredEvent('pruned-first');

      let pruning!: ReturnType<typeof pruneLater>;
      let redelivery!: ReturnType<typeof redeliver>;
      await whileRowHeld(deliveryId, async (holder) => {
        pruning = pruneLater();
        await waitingBehind(holder, 1, 'the prune to wait for the row');
        redelivery = redeliver('pruned-first', subscriptionId, deliveryId);
        await waitingBehind(holder, 2, 'the redelivery to wait for the row behind the prune');
      });

      await pruning;
      expect((await redelivery).status).toBe(404);
      expect(await remaining([eventId])).toEqual({ events: [], deliveries: 0, attempts: 0 });
    },
  );
});
