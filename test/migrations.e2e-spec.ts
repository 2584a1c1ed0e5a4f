import { DataSource, type DataSourceOptions } from 'typeorm';
import { WEBHOOK_ENTITIES, WEBHOOK_MIGRATIONS } from 'nestjs-marketing-webhooks';
import { WebhookSubscription } from './support/internals';
import { isolatedDatabase, TEST_DATABASES } from './support/services';

describe.each(TEST_DATABASES)('shipped migrations on %s', (kind) => {
  it('create exactly the schema the entities describe, and revert cleanly', async () => {
    const database = await isolatedDatabase(kind);
    const {
      autoLoadEntities: _auto,
      synchronize: _sync,
      ...connection
    } = database.typeorm as DataSourceOptions & {
      autoLoadEntities?: boolean;
    };
    const dataSource = new DataSource({
      ...connection,
      entities: [...WEBHOOK_ENTITIES],
      migrations: [...WEBHOOK_MIGRATIONS],
      synchronize: false,
    });
    await dataSource.initialize();
    try {
      const applied = await dataSource.runMigrations();
      expect(applied).toHaveLength(WEBHOOK_MIGRATIONS.length);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);

      for (let i = 0; i < WEBHOOK_MIGRATIONS.length; i++) await dataSource.undoLastMigration();
      const tables = await dataSource
        .createQueryRunner()
        .getTables(WEBHOOK_ENTITIES.map((entity) => dataSource.getMetadata(entity).tablePath));
      expect(tables).toEqual([]);
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });

  it('widen the secret columns keeping every row', async () => {
    const database = await isolatedDatabase(kind);
    const {
      autoLoadEntities: _auto,
      synchronize: _sync,
      ...connection
    } = database.typeorm as DataSourceOptions & {
      autoLoadEntities?: boolean;
    };
    const dataSource = new DataSource({
      ...connection,
      entities: [...WEBHOOK_ENTITIES],
      migrations: [...WEBHOOK_MIGRATIONS],
      synchronize: false,
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
      // Back to the schema before the widening (later migrations add columns the row must not name).
      const widening = WEBHOOK_MIGRATIONS.findIndex((migration) =>
        migration.name.startsWith('WidenSubscriptionSecrets'),
      );
      for (let i = widening; i < WEBHOOK_MIGRATIONS.length; i++)
        await dataSource.undoLastMigration();
      const subscriptions = dataSource.getRepository(WebhookSubscription);
      const row = {
        id: '0190a3c4-0000-7000-8000-000000000001',
        tenantId: 'default',
        listId: '42',
        url: 'https://example.com/hook',
        events: ['contact.subscribed'],
        sources: ['api' as const],
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        headers: { Authorization: 'Bearer t' },
      };
      await subscriptions
        .createQueryBuilder()
        .insert()
        .into(WebhookSubscription, Object.keys(row))
        .values({ ...row })
        .execute();
      await dataSource.runMigrations();
      await subscriptions.update(row.id, { secret: `enc:v1:k1:${'x'.repeat(200)}` });
      expect(await subscriptions.findOneByOrFail({ id: row.id })).toMatchObject({
        ...row,
        secret: `enc:v1:k1:${'x'.repeat(200)}`,
      });
    } finally {
      await dataSource.destroy();
      await database.drop();
    }
  });
});
