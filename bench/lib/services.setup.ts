import { getDataSourceToken, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import {
  WEBHOOK_EVENT_SOURCES,
  WEBHOOKS_QUEUE,
  WebhookSubscriptionsService,
  type ContentFilter,
} from '../../src';
import {
  generateWebhookSecret,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEvent,
  WebhookInboundEvent,
  WebhookSubscription,
} from '../../test/support/internals';
import { createEndpoint } from '../../test/support/inbound';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/processes';
import { createWebhooksApp, type WebhooksTestApp } from '../../test/support/webhooks-app';
import { BENCH_MODULE_OPTIONS } from './bench.config';
import { track } from './child.handle';
import { BENCH_EVENT_TYPE, BENCH_TENANT } from './payload.util';
import type { FilterCounts, HistoryRows, OrderingCounts } from './results.types';

const INSERT_CHUNK = 1_000;

export interface SubscriptionTarget {
  listId: string;
  url: string;
  /** A content filter over the event's data (S1-filtered's second subscription per list). */
  filter?: ContentFilter;
}

/** The databases a store of the bench can be on (S9's SQLite lives in its one host process). */
export type BenchDatabase = 'postgres' | 'mariadb';

export interface StoreStart {
  /** Another store's Redis (default: a private redis-server of its own, stopped with the store). */
  redis?: PrivateRedis;
  /** Default PostgreSQL. */
  database?: BenchDatabase;
}

/** The setup host's own pool: it only creates the tables and the subscriptions. */
const SETUP_POOL: Record<BenchDatabase, Record<string, unknown>> = {
  postgres: { max: 4, application_name: 'bench-setup' },
  mariadb: { connectionLimit: 4 },
};

/** Every BenchServices not yet closed, so that an interrupted run can still drop its databases. */
const open = new Set<BenchServices>();

/**
 * What the bench runs against: a fresh PostgreSQL schema or MariaDB database (test/support's
 * isolatedDatabase, dropped at the end), a private redis-server on a free port (stopped at the
 * end), and an API-only host of the module in the bench process itself, which creates the tables
 * (synchronize) and the subscriptions.
 *
 * `start({ redis })` gives another such store on the same Redis: its own database and Bull prefix,
 * so its workers share neither jobs nor relayed deliveries with the first one's.
 */
export class BenchServices {
  private constructor(
    readonly database: BenchDatabase,
    readonly redis: PrivateRedis,
    private readonly ownsRedis: boolean,
    private readonly host: WebhooksTestApp,
  ) {
    open.add(this);
  }

  static openInstances(): BenchServices[] {
    return [...open];
  }

  static async start({
    redis: sharedRedis,
    database = 'postgres',
  }: StoreStart = {}): Promise<BenchServices> {
    let redis = sharedRedis;
    if (!redis) {
      redis = await startPrivateRedis();
      track('redis-server', redis.handle.child);
    }
    try {
      const host = await createWebhooksApp({
        database,
        namePrefix: 'bench',
        redisUrl: redis.url,
        options: { ...BENCH_MODULE_OPTIONS, worker: false },
        databaseExtra: SETUP_POOL[database],
      });
      return new BenchServices(database, redis, !sharedRedis, host);
    } catch (error) {
      if (!sharedRedis) await redis.handle.stop(5_000);
      throw error;
    }
  }

  /** The PostgreSQL schema; a MariaDB store has none. */
  get schema(): string | undefined {
    return this.host.database.schema;
  }

  /** The schema or database name, for logs and error messages. */
  get name(): string {
    return this.schema ?? String(this.dataSource.driver.database);
  }

  /** How the store's worker and emitter processes reach its database (see DatabaseChildConfig). */
  get childDatabase(): TypeOrmModuleOptions {
    return { ...this.host.database.typeorm, synchronize: false };
  }

  get bullPrefix(): string {
    return this.host.bullPrefix;
  }

  get dataSource(): DataSource {
    return this.host.app.get<DataSource>(getDataSourceToken());
  }

  private get redisClient() {
    return this.host.queue.client;
  }

  /** Through WebhookSubscriptionsService.create, as the admin API does (validation, URL policy). */
  async createSubscriptions(targets: readonly SubscriptionTarget[]): Promise<void> {
    const service = this.host.app.get(WebhookSubscriptionsService);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < targets.length) {
          const { listId, url, filter } = targets[next++];
          await service.create(
            { tenantId: BENCH_TENANT, listId },
            { url, events: [BENCH_EVENT_TYPE], ...(filter && { filter }) },
          );
        }
      }),
    );
  }

  /** Bulk INSERT of many subscriptions on one list (S2), in `urls` order. */
  async insertSubscriptions(listId: string, urls: readonly string[]): Promise<void> {
    const repository = this.dataSource.getRepository(WebhookSubscription);
    for (let start = 0; start < urls.length; start += INSERT_CHUNK) {
      const rows = urls.slice(start, start + INSERT_CHUNK).map((url) => ({
        id: uuidv7(),
        tenantId: BENCH_TENANT,
        listId,
        url,
        name: null,
        description: null,
        events: [BENCH_EVENT_TYPE],
        sources: [...WEBHOOK_EVENT_SOURCES],
        secret: generateWebhookSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        payloadFormat: 'json' as const,
        headers: null,
        status: 'active' as const,
        disabledReason: null,
        disabledAt: null,
        consecutiveFailures: 0,
        failingSince: null,
        lastSuccessAt: null,
        lastTestSucceededAt: null,
        verificationChallenge: null,
      }));
      await repository.createQueryBuilder().insert().values(rows).updateEntity(false).execute();
    }
  }

  /**
   * Empties the module's tables and Redis between scenarios, so each starts from nothing. On the
   * main (PostgreSQL) store: MariaDB stores are fresh ones, closed at the end of their scenario.
   */
  async resetState(): Promise<void> {
    if (this.database !== 'postgres') throw new Error(`resetState: ${this.name} is not PostgreSQL`);
    const names = this.dataSource.entityMetadatas.map(
      (meta) => `"${this.schema}"."${meta.tableName}"`,
    );
    await this.dataSource.query(`TRUNCATE ${names.join(', ')}`);
    await this.redisClient.flushall();
    await this.redisClient.config('RESETSTAT');
  }

  /**
   * Writes PostgreSQL's dirty pages out now (`CHECKPOINT`), so that a measured phase does not pay for
   * the write-back of the rows the phases before it wrote.
   */
  async checkpoint(): Promise<void> {
    await this.dataSource.query('CHECKPOINT');
  }

  /** Attempts recorded for the lists whose id starts with `listPrefix`, by error kind ('ok' = 2xx). */
  async attemptOutcomes(listPrefix: string): Promise<Record<string, number>> {
    const rows: Array<{ kind: string | null; count: string | number }> = await this.dataSource
      .createQueryBuilder()
      .select('a.errorKind', 'kind')
      .addSelect('count(*)', 'count')
      .from(WebhookAttempt, 'a')
      .innerJoin(WebhookDelivery, 'd', 'd.id = a.deliveryId')
      .innerJoin(WebhookSubscription, 's', 's.id = d.subscriptionId')
      .where('s.listId LIKE :prefix', { prefix: `${listPrefix}%` })
      .groupBy('a.errorKind')
      .getRawMany();
    return Object.fromEntries(rows.map((row) => [row.kind ?? 'ok', Number(row.count)]));
  }

  /** A `standard-webhooks` inbound endpoint of the bench's tenant (IN), as the admin API makes it. */
  createInboundEndpoint(secret: string): Promise<{ id: string; path: string }> {
    return createEndpoint(this.host, BENCH_TENANT, { scheme: 'standard-webhooks', secret });
  }

  /** The inbox rows of an inbound endpoint, by status. */
  async inboundStatuses(endpointId: string): Promise<Record<string, number>> {
    const rows: Array<{ status: string; count: string | number }> = await this.dataSource
      .getRepository(WebhookInboundEvent)
      .createQueryBuilder('e')
      .select('e.status', 'status')
      .addSelect('count(*)', 'count')
      .where('e.endpointId = :endpointId', { endpointId })
      .groupBy('e.status')
      .getRawMany();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /** Rows of the delivery history in the store now (what retention prunes). */
  async historyRows(): Promise<HistoryRows> {
    const [events, deliveries, attempts] = await Promise.all(
      [WebhookEvent, WebhookDelivery, WebhookAttempt].map((entity) =>
        this.dataSource.getRepository(entity).count(),
      ),
    );
    return { events, deliveries, attempts };
  }

  /**
   * Subscriptions with and without a content filter (and how many have the SQL/JSON path the
   * PostgreSQL store derives from it), and the deliveries each kind got: S1-filtered's proof that
   * its filters were there and held events back.
   */
  async filterCounts(): Promise<FilterCounts> {
    const [subscriptions, deliveries, events] = await Promise.all([
      this.dataSource
        .getRepository(WebhookSubscription)
        .createQueryBuilder('s')
        .select('count(*)', 'total')
        .addSelect('count(s.filter)', 'filtered')
        .addSelect('count(s.filterJsonPath)', 'withJsonPath')
        .getRawOne<Record<'total' | 'filtered' | 'withJsonPath', string | number>>(),
      this.dataSource
        .createQueryBuilder()
        .select('count(*) - count(s.filter)', 'unfiltered')
        .addSelect('count(s.filter)', 'filtered')
        .from(WebhookDelivery, 'd')
        .innerJoin(WebhookSubscription, 's', 's.id = d.subscriptionId')
        .getRawOne<Record<'unfiltered' | 'filtered', string | number>>(),
      this.dataSource.getRepository(WebhookEvent).count(),
    ]);
    return {
      subscriptions: {
        total: Number(subscriptions?.total ?? 0),
        filtered: Number(subscriptions?.filtered ?? 0),
        withJsonPath: Number(subscriptions?.withJsonPath ?? 0),
      },
      events,
      deliveries: {
        unfiltered: Number(deliveries?.unfiltered ?? 0),
        filtered: Number(deliveries?.filtered ?? 0),
      },
    };
  }

  /**
   * Its deliveries, how many carry an ordering key (and how many keys), and their statuses:
   * S1-ordered's proof that its events were keyed and all delivered.
   */
  async orderingCounts(): Promise<OrderingCounts> {
    const [totals, statuses, events] = await Promise.all([
      this.dataSource
        .getRepository(WebhookDelivery)
        .createQueryBuilder('d')
        .select('count(*)', 'deliveries')
        .addSelect('count(d.orderingKey)', 'keyed')
        .addSelect('count(DISTINCT d.orderingKey)', 'keys')
        .getRawOne<Record<'deliveries' | 'keyed' | 'keys', string | number>>(),
      this.dataSource
        .getRepository(WebhookDelivery)
        .createQueryBuilder('d')
        .select('d.status', 'status')
        .addSelect('count(*)', 'count')
        .groupBy('d.status')
        .getRawMany<{ status: string; count: string | number }>(),
      this.dataSource.getRepository(WebhookEvent).count(),
    ]);
    return {
      events,
      deliveries: Number(totals?.deliveries ?? 0),
      keyed: Number(totals?.keyed ?? 0),
      keys: Number(totals?.keys ?? 0),
      byStatus: Object.fromEntries(statuses.map((row) => [row.status, Number(row.count)])),
    };
  }

  /**
   * Jobs ever added to its delivery queue: Bull increments `<prefix>:<queue>:id` for every job it
   * adds, with or without a job id of the module's own (first-attempts groups, single attempts,
   * repeatable runs). Redis was flushed when the side-by-side runs began.
   */
  async bullJobsAdded(): Promise<number> {
    const counter = await this.redisClient.get(`${this.bullPrefix}:${WEBHOOKS_QUEUE}:id`);
    return Number(counter ?? 0);
  }

  /** The server's version and how it makes a commit durable (MariaDB stores; null on PostgreSQL). */
  async mariaDbServer(): Promise<{ version: string; flushLogAtTrxCommit: number } | null> {
    if (this.database !== 'mariadb') return null;
    const [row]: Array<{ version: string; flush: string | number }> = await this.dataSource.query(
      'SELECT VERSION() AS version, @@innodb_flush_log_at_trx_commit AS flush',
    );
    return { version: row.version, flushLogAtTrxCommit: Number(row.flush) };
  }

  async redisUsedMemory(): Promise<number | null> {
    try {
      const info = await this.redisClient.info('memory');
      const match = /used_memory:(\d+)/.exec(info);
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  }

  async resetRedisStats(): Promise<void> {
    await this.redisClient.config('RESETSTAT');
  }

  /** Calls per Redis command since the last RESETSTAT. */
  async redisCommandStats(): Promise<Record<string, number>> {
    const info = await this.redisClient.info('commandstats');
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g))
      calls[match[1]] = Number(match[2]);
    return calls;
  }

  async close(): Promise<void> {
    if (!open.delete(this)) return;
    await this.host.close().catch((error: unknown) => {
      process.stderr.write(`could not close the setup host of ${this.name}: ${String(error)}\n`);
    });
    if (this.ownsRedis) await this.redis.handle.stop(5_000);
  }
}
