import { getQueueToken } from '@nestjs/bull';
import type { INestApplication, ModuleMetadata, NestApplicationOptions } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { DataSource } from 'typeorm';
import {
  WEBHOOKS_INBOUND_QUEUE,
  WEBHOOKS_QUEUE,
  WebhooksModule,
  WebhooksService,
  type WebhooksModuleExtras,
  type WebhooksModuleOptions,
} from 'nestjs-marketing-webhooks';
import {
  REDIS_URL,
  isolatedDatabase,
  uniqueName,
  type IsolatedDatabase,
  type TestDatabase,
} from './services';
import { webhooksHostImports } from './webhooks-host';

export type Registration = 'forRoot' | 'forRootAsync';

export interface WebhooksAppSetup {
  database: TestDatabase;
  registration?: Registration;
  options?: WebhooksModuleOptions;
  extras?: WebhooksModuleExtras;
  imports?: ModuleMetadata['imports'];
  providers?: ModuleMetadata['providers'];
  /** Another Redis than REDIS_URL (e.g. a private server the test can flush). */
  redisUrl?: string;
  /** Starts the schema's and the Bull prefix's names (default `test` and `bull`). */
  namePrefix?: string;
  /** The database driver's own options (pool size, application_name). */
  databaseExtra?: Record<string, unknown>;
  /** Rewrites the database's URL (e.g. to go through a `TcpProxy`); not for SQLite. */
  databaseUrl?: (url: string) => string;
  /**
   * Another process of the same deployment: runs on that app's schema and Bull prefix (`database`
   * must be the same kind), and leaves both to it: nothing created on setup, dropped or obliterated
   * on close. Close it before that app. Not for SQLite, whose database is private to its app.
   */
  sharingStoreWith?: WebhooksTestApp;
  /** The Nest application's own options (`rawBody`, `bodyParser`). */
  appOptions?: NestApplicationOptions;
}

export interface WebhooksTestApp {
  app: INestApplication;
  database: IsolatedDatabase;
  bullPrefix: string;
  webhooks: WebhooksService;
  dataSource: DataSource;
  queue: Queue;
  inboundQueue: Queue;
  close(): Promise<void>;
}

/** Test-friendly defaults: loopback receivers allowed, fast retries without jitter. */
export const TEST_OPTIONS: WebhooksModuleOptions = {
  security: { allowPrivateNetworks: true },
  retries: { schedule: [150, 300], jitter: 0 },
  delivery: { requestTimeoutMs: 3_000 },
};

/** `overrides` on top of `base`, group by group (a test's `retries.schedule` keeps the base's jitter). */
function mergeOptions(
  base: WebhooksModuleOptions,
  overrides: WebhooksModuleOptions = {},
): WebhooksModuleOptions {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const inner = merged[key];
    merged[key] = isGroup(inner) && isGroup(value) ? { ...inner, ...value } : value;
  }
  return merged;
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The owner's schema as it stands: the owner created it and drops it. */
function sharedDatabase(owned: IsolatedDatabase): IsolatedDatabase {
  if (owned.typeorm.type === 'better-sqlite3') {
    throw new Error('an in-memory SQLite database cannot be shared between two apps');
  }
  return {
    ...owned,
    typeorm: { ...owned.typeorm, synchronize: false },
    drop: async () => undefined,
  };
}

/** A host app as a user would write it: TypeORM + Bull roots, then WebhooksModule. Real services. */
export async function createWebhooksApp(setup: WebhooksAppSetup): Promise<WebhooksTestApp> {
  const owner = setup.sharingStoreWith;
  const database = owner
    ? sharedDatabase(owner.database)
    : await isolatedDatabase(setup.database, setup.namePrefix);
  const bullPrefix = owner?.bullPrefix ?? uniqueName(setup.namePrefix ?? 'bull');
  const options = mergeOptions(TEST_OPTIONS, setup.options);
  const webhooksModule =
    setup.registration === 'forRootAsync'
      ? WebhooksModule.forRootAsync({ useFactory: async () => options, ...setup.extras })
      : WebhooksModule.forRoot({ ...options, ...setup.extras });

  const moduleRef = await Test.createTestingModule({
    imports: [
      ...webhooksHostImports({
        typeorm: {
          ...database.typeorm,
          ...(setup.databaseExtra && { extra: setup.databaseExtra }),
          ...(setup.databaseUrl &&
            'url' in database.typeorm &&
            database.typeorm.url && { url: setup.databaseUrl(database.typeorm.url) }),
        },
        redisUrl: setup.redisUrl ?? REDIS_URL,
        bullPrefix,
        webhooks: webhooksModule,
      }),
      ...(setup.imports ?? []),
    ],
    providers: setup.providers ?? [],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'], ...setup.appOptions });
  try {
    await app.init();
  } catch (error) {
    await database.drop().catch(() => undefined);
    throw error;
  }

  const queue = app.get<Queue>(getQueueToken(WEBHOOKS_QUEUE));
  const inboundQueue = app.get<Queue>(getQueueToken(WEBHOOKS_INBOUND_QUEUE));
  return {
    app,
    database,
    bullPrefix,
    webhooks: app.get(WebhooksService),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    queue,
    inboundQueue,
    async close() {
      try {
        if (!owner) {
          for (const each of [queue, inboundQueue])
            await each.obliterate({ force: true }).catch(() => undefined);
        }
        await app.close();
      } finally {
        await database.drop();
      }
    },
  };
}
