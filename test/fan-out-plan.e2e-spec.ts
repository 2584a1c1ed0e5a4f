import { v7 as uuidv7 } from 'uuid';
import { outboxParameters } from '../libs/webhooks/src/storage/postgres/postgres-outbox.store';
import { WebhookEvent } from '../libs/webhooks/src/storage/entities/event.entity';
import { OutboxStore } from './support/internals';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * The PostgreSQL fan-out finds an event's subscriptions (its list's and the all-lists scope's)
 * through the scope index, however many subscriptions the platform has: a join written with an OR
 * once made it read every subscription for every emit.
 */
describe('the PostgreSQL fan-out plan', () => {
  let hooks: WebhooksTestApp;
  beforeAll(async () => {
    hooks = await createWebhooksApp({ database: 'postgres' });
    const table = `"${hooks.database.schema}"."webhook_subscriptions"`;
    await hooks.dataSource.query(
      `INSERT INTO ${table} (id, "tenantId", "listId", url, events, sources, secret)
       SELECT gen_random_uuid(), 'tenant-' || (i % 50), CASE WHEN i % 40 = 0 THEN '*' ELSE 'list-' || (i % 400) END,
         'https://receiver.example/hook', '["contact.subscribed"]', '["api"]', 'whsec_x'
       FROM generate_series(1, 20000) AS i`,
    );
    await hooks.dataSource.query(`ANALYZE ${table}`);
  });
  afterAll(() => hooks.close());

  it('uses the scope index to match subscriptions, never a scan of them all', async () => {
    const outbox: unknown = hooks.app.get(OutboxStore);
    const { statement } = outbox as { statement: string };
    const rows = await hooks.dataSource.query<Array<{ 'QUERY PLAN': string }>>(
      `EXPLAIN ${statement}`,
      outboxParameters([
        Object.assign(new WebhookEvent(), {
          id: uuidv7(),
          tenantId: 'tenant-7',
          listId: 'list-7',
          type: 'contact.subscribed',
          source: 'api',
          data: { email: 'ada@example.com' },
          occurredAt: new Date(),
          subject: null,
          traceParent: null,
          orderingKey: null,
        }),
      ]),
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('IDX_webhook_subscriptions_scope');
    expect(plan).not.toMatch(/Seq Scan on webhook_subscriptions/);
  });
});
