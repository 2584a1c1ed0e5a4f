/**
 * B-persisted's PostgreSQL schema: created fresh (test/support's isolatedDatabase), its tables made
 * by TypeORM's `synchronize: true` from B-persisted's own entities, its subscriptions saved, and
 * dropped at the end. Its producer and workers reach it through `childDatabase`.
 */
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { generateWebhookSecret } from '../../test/support/internals';
import { DATABASE_URL, isolatedDatabase, type IsolatedDatabase } from '../../test/support/services';
import {
  PERSISTED_ENTITIES,
  PersistedAttempt,
  PersistedDelivery,
  PersistedEvent,
  PersistedSubscription,
} from './persisted.entities';
import type { PersistedRows } from './results.types';
import type { SubscriptionTarget } from './services.setup';

/**
 * Ids are `gen_random_uuid()` defaults (built into PostgreSQL 13+): TypeORM's default would install
 * the uuid-ossp extension in the shared database.
 */
const UUID_OPTIONS = { uuidExtension: 'pgcrypto', installExtensions: false } as const;

/** Every store not yet closed, so that an interrupted run can still drop its schema. */
const open = new Set<PersistedStore>();

export class PersistedStore {
  private constructor(
    private readonly database: IsolatedDatabase,
    private readonly dataSource: DataSource,
  ) {
    open.add(this);
  }

  static async start(): Promise<PersistedStore> {
    const database = await isolatedDatabase('postgres', 'bench_bp');
    const dataSource = new DataSource({
      type: 'postgres',
      url: DATABASE_URL,
      schema: database.schema,
      entities: PERSISTED_ENTITIES,
      synchronize: true,
      extra: { max: 2, application_name: 'bench-persisted-setup' },
      ...UUID_OPTIONS,
    });
    try {
      await dataSource.initialize();
    } catch (error) {
      await database.drop();
      throw error;
    }
    return new PersistedStore(database, dataSource);
  }

  /** Closes every store still open (an interrupted run). */
  static async closeAll(): Promise<void> {
    for (const store of [...open]) await store.close();
  }

  get schema(): string {
    return this.database.schema ?? '';
  }

  /** How its producer and workers reach the schema (their entities come from forFeature). */
  get childDatabase(): TypeOrmModuleOptions {
    return {
      type: 'postgres',
      url: DATABASE_URL,
      schema: this.database.schema,
      autoLoadEntities: true,
      synchronize: false,
      ...UUID_OPTIONS,
    };
  }

  /** One active subscription per target, with a fresh secret each. */
  async createSubscriptions(targets: readonly SubscriptionTarget[]): Promise<void> {
    const repository = this.dataSource.getRepository(PersistedSubscription);
    await repository.save(
      targets.map(({ listId, url }) =>
        repository.create({ listId, url, secret: generateWebhookSecret(), active: true }),
      ),
    );
  }

  /** Events, deliveries by status and attempts by outcome in the schema now. */
  async rows(): Promise<PersistedRows> {
    const [events, deliveries, attempts] = await Promise.all([
      this.dataSource.getRepository(PersistedEvent).count(),
      this.dataSource
        .getRepository(PersistedDelivery)
        .createQueryBuilder('d')
        .select('d.status', 'status')
        .addSelect('count(*)', 'count')
        .groupBy('d.status')
        .getRawMany<{ status: string; count: string | number }>(),
      this.dataSource
        .getRepository(PersistedAttempt)
        .createQueryBuilder('a')
        .select("CASE WHEN a.error IS NULL THEN 'ok' ELSE 'error' END", 'outcome')
        .addSelect('count(*)', 'count')
        .groupBy('1')
        .getRawMany<{ outcome: string; count: string | number }>(),
    ]);
    return {
      events,
      deliveries: Object.fromEntries(deliveries.map((row) => [row.status, Number(row.count)])),
      attempts: Object.fromEntries(attempts.map((row) => [row.outcome, Number(row.count)])),
    };
  }

  async close(): Promise<void> {
    if (!open.delete(this)) return;
    await this.dataSource.destroy().catch(() => undefined);
    await this.database.drop().catch((error: unknown) => {
      process.stderr.write(
        `could not drop B-persisted's schema ${this.schema}: ${String(error)}\n`,
      );
    });
  }
}
