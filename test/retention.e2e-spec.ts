import { Registry } from 'prom-client';
import { In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  HistoryPruner,
  HistoryStore,
  WEBHOOKS_OPTIONS,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEvent,
  WebhooksMetrics,
  type DeliveryStatus,
} from './support/internals';
import { TestReceiver } from './support/receiver';
import { TEST_DATABASES } from './support/services';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const DAY = 86_400_000;

/** A delivery as seeded: its status, and whether a retry is due (failed ones). */
type Seeded = DeliveryStatus | 'failed, retry due';

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
});
