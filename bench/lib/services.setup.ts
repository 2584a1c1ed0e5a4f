import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { WEBHOOK_EVENT_SOURCES, WebhookSubscriptionsService } from '../../src';
import { generateWebhookSecret, WebhookSubscription } from '../../test/support/internals';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/processes';
import { createWebhooksApp, type WebhooksTestApp } from '../../test/support/webhooks-app';
import { BENCH_MODULE_OPTIONS } from './bench.config';
import { track } from './child.handle';
import { BENCH_EVENT_TYPE, BENCH_TENANT } from './payload.util';

const INSERT_CHUNK = 1_000;

export interface SubscriptionTarget {
  listId: string;
  url: string;
}

/** Every BenchServices not yet closed, so that an interrupted run can still drop its schemas. */
const open = new Set<BenchServices>();

/**
 * What the bench runs against: a fresh PostgreSQL schema (dropped at the end), a private
 * redis-server on a free port (stopped at the end), and an API-only host of the module in the bench
 * process itself, which creates the tables (synchronize) and the subscriptions.
 *
 * `start(redis)` gives another such store on the same Redis: its own schema and Bull prefix, so
 * its workers share neither jobs nor relayed deliveries with the first one's.
 */
export class BenchServices {
  private constructor(
    readonly schema: string,
    readonly redis: PrivateRedis,
    private readonly ownsRedis: boolean,
    private readonly host: WebhooksTestApp,
  ) {
    open.add(this);
  }

  static openInstances(): BenchServices[] {
    return [...open];
  }

  static async start(sharedRedis?: PrivateRedis): Promise<BenchServices> {
    let redis = sharedRedis;
    if (!redis) {
      redis = await startPrivateRedis();
      track('redis-server', redis.handle.child);
    }
    try {
      const host = await createWebhooksApp({
        database: 'postgres',
        namePrefix: 'bench',
        redisUrl: redis.url,
        options: { ...BENCH_MODULE_OPTIONS, worker: false },
        databaseExtra: { max: 4, application_name: 'bench-setup' },
      });
      if (!host.database.schema) throw new Error('a PostgreSQL host has a schema');
      return new BenchServices(host.database.schema, redis, !sharedRedis, host);
    } catch (error) {
      if (!sharedRedis) await redis.handle.stop(5_000);
      throw error;
    }
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
          const { listId, url } = targets[next++];
          await service.create(
            { tenantId: BENCH_TENANT, listId },
            { url, events: [BENCH_EVENT_TYPE] },
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

  /** Empties the module's tables and Redis between scenarios, so each starts from nothing. */
  async resetState(): Promise<void> {
    const names = this.dataSource.entityMetadatas.map(
      (meta) => `"${this.schema}"."${meta.tableName}"`,
    );
    await this.dataSource.query(`TRUNCATE ${names.join(', ')}`);
    await this.redisClient.flushall();
    await this.redisClient.config('RESETSTAT');
  }

  /** Attempts recorded for the lists whose id starts with `listPrefix`, by error kind ('ok' = 2xx). */
  async attemptOutcomes(listPrefix: string): Promise<Record<string, number>> {
    const rows: Array<{ kind: string | null; count: string }> = await this.dataSource.query(
      `SELECT a."errorKind" AS kind, count(*) AS count
         FROM "${this.schema}"."webhook_attempts" a
         JOIN "${this.schema}"."webhook_deliveries" d ON d.id = a."deliveryId"
         JOIN "${this.schema}"."webhook_subscriptions" s ON s.id = d."subscriptionId"
        WHERE s."listId" LIKE $1
        GROUP BY a."errorKind"`,
      [`${listPrefix}%`],
    );
    return Object.fromEntries(rows.map((row) => [row.kind ?? 'ok', Number(row.count)]));
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
      process.stderr.write(`could not close the setup host of ${this.schema}: ${String(error)}\n`);
    });
    if (this.ownsRedis) await this.redis.handle.stop(5_000);
  }
}
