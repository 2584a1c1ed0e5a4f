import type { WebhooksModuleOptions } from '../../src';
import { FAST_PORTS } from './bench.config';
import {
  emitterConfig,
  listsOnFastPorts,
  producerOf,
  startModuleWorkers,
  stopAll,
  type BenchContext,
  type Producer,
} from './bench.context';
import type { EmitterApi, LoadList, WorkerApi } from './child.apis';
import { BenchChild } from './child.handle';
import type { ThroughputResult } from './results.types';
import { BenchServices, type BenchDatabase, type SubscriptionTarget } from './services.setup';

/**
 * A store of its own (database + Bull prefix, on the main store's Redis) with its emitter and
 * workers: each S3 outage, S1-mariadb, S1-pruned, S1-filtered, S1-ordered and S1-local.
 */
export interface ModuleStore {
  services: BenchServices;
  /** Its emitter, as a producer. */
  producer: Producer;
  emitterChild: BenchChild<EmitterApi>;
  workers: Array<BenchChild<WorkerApi>>;
}

export interface ModuleStoreStart {
  /** Default PostgreSQL. */
  database?: BenchDatabase;
  /** Its workers' module options, merged over BENCH_MODULE_OPTIONS (the emitter keeps those). */
  workerOptions?: WebhooksModuleOptions;
  /** Distinct ordering keys its emitter puts on its events (EmitterConfig); default none. */
  orderingKeys?: number;
  /** Whether its emitter is a worker too (EmitterConfig `delivers`); default API only. */
  emitterDelivers?: boolean;
}

export async function startModuleStore(
  ctx: BenchContext,
  label: string,
  targets: readonly SubscriptionTarget[],
  { database = 'postgres', workerOptions, orderingKeys, emitterDelivers }: ModuleStoreStart = {},
): Promise<ModuleStore> {
  const services = await BenchServices.start({ redis: ctx.services.redis, database });
  try {
    await services.createSubscriptions(targets);
    const [workers, emitter] = await Promise.all([
      startModuleWorkers(ctx, label, { services, options: workerOptions }),
      BenchChild.start<EmitterApi>(
        `${label}-emitter`,
        'bench/lib/emitter.process.ts',
        emitterConfig(
          { services, asyncCommit: ctx.asyncCommit },
          { orderingKeys, delivers: emitterDelivers },
        ),
      ),
    ]);
    return { services, producer: producerOf(emitter), emitterChild: emitter, workers };
  } catch (error) {
    await services.close();
    throw error;
  }
}

export async function closeModuleStore(store: ModuleStore): Promise<void> {
  await stopAll([...store.workers, store.emitterChild]);
  await store.services.close();
}

/** One configuration of the module under test: its workers, the emitter feeding them, its lists. */
export interface ModuleSide {
  /** Its name in logs and errors: S1, S1-mariadb, S1-pruned, S1-filtered, S1-ordered, S1-local. */
  id: string;
  workers: Array<BenchChild<WorkerApi>>;
  /** Its emitter, as a producer. */
  producer: Producer;
  lists: LoadList[];
  rounds: ThroughputResult[];
  /** Where its tables are: S1 on the main store (PostgreSQL), the others on a store of their own. */
  services: BenchServices;
  /** Its list ids start with this (attempts recorded are counted by it). */
  listPrefix: string;
  /** Its own store, closed with it (S1 runs on the main one). */
  store?: ModuleStore;
  /** Called after each of its saturated rounds, before the next side's round. */
  afterRound?: (result: ThroughputResult) => Promise<void>;
}

/** A side on a store of its own: S1's lists and origins, its own database, emitter and workers. */
export interface StoreSideSpec {
  id: string;
  /** Its lists' ids start with this (`s1m`, `s1p`, `s1f`, `s1o`, `s1l`): S1's are `s1-…`. */
  listPrefix: string;
  database: BenchDatabase;
  workerOptions?: WebhooksModuleOptions;
  /**
   * The subscriptions it creates, given S1's (one per list, each on its own fast origin); default
   * those alone. S1-filtered adds a filtered one per list.
   */
  subscriptions?: (targets: readonly SubscriptionTarget[]) => SubscriptionTarget[];
  /**
   * Distinct ordering keys its emitter puts on its events (S1-ordered: one per event, from this
   * many); default none, as S1's.
   */
  orderingKeys?: number;
  /**
   * Whether its emitter process delivers too (S1-local: it runs its own emits' first attempts);
   * default API only, as S1's. Its workers start as for any side.
   */
  emitterDelivers?: boolean;
}

/**
 * Starts a side on a store of its own (S1-mariadb, S1-pruned, S1-filtered, S1-ordered, S1-local). If it cannot start
 * (MariaDB out of reach), the error is recorded and the other sides run without it.
 */
export async function startStoreSide(
  ctx: BenchContext,
  {
    id,
    listPrefix,
    database,
    workerOptions,
    subscriptions,
    orderingKeys,
    emitterDelivers,
  }: StoreSideSpec,
): Promise<ModuleSide | undefined> {
  const { targets, lists } = listsOnFastPorts(ctx, listPrefix, FAST_PORTS);
  try {
    const created = subscriptions?.(targets) ?? targets;
    const store = await startModuleStore(ctx, id.toLowerCase(), created, {
      database,
      workerOptions,
      orderingKeys,
      emitterDelivers,
    });
    const { services, producer, workers } = store;
    return {
      id,
      workers,
      producer,
      lists,
      rounds: [],
      services,
      listPrefix: `${listPrefix}-`,
      store,
    };
  } catch (error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    ctx.results.errors.push({ scenario: id, error: text });
    ctx.log(`${id} could not start, left out: ${text}`);
    return undefined;
  }
}
