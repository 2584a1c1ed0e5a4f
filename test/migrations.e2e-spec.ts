import { DataSource, type DataSourceOptions } from 'typeorm';
import { WEBHOOK_ENTITIES, WEBHOOK_MIGRATIONS } from 'nestjs-marketing-webhooks';
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
});
