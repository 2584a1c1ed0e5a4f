import type { Queue } from 'bull';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { AfterQueryEvent, BeforeQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import type { QueryStat, WorkerInstrumentation } from './child.apis';

const POOL_SAMPLE_EVERY_MS = 20;

/** The parts of node-postgres' Pool that tell how busy it is. */
interface PgPoolGauges {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

function isPgPool(value: unknown): value is PgPoolGauges {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PgPoolGauges).waitingCount === 'number' &&
    typeof (value as PgPoolGauges).totalCount === 'number'
  );
}

/** Counts and times every SQL statement of a DataSource (bench-side, through a TypeORM subscriber). */
class QueryCounter implements EntitySubscriberInterface {
  readonly stats = new Map<string, QueryStat>();
  private readonly started = new WeakMap<QueryRunner, number>();

  beforeQuery(event: BeforeQueryEvent): void {
    this.started.set(event.queryRunner, performance.now());
  }

  afterQuery(event: AfterQueryEvent): void {
    const start = this.started.get(event.queryRunner);
    const elapsed = start === undefined ? (event.executionTime ?? 0) : performance.now() - start;
    const sql = event.query.replace(/\s+/g, ' ').trim();
    const stat = this.stats.get(sql) ?? { sql, count: 0, totalMs: 0 };
    stat.count++;
    stat.totalMs += elapsed;
    this.stats.set(sql, stat);
  }
}

/**
 * What a worker process measures about itself: Bull job outcomes always; with `detailed`, every SQL
 * statement (count and time) and the pg pool's queue. The library is not touched: this hooks the
 * host's own DataSource and queue.
 */
export class WorkerProbe {
  private completed = 0;
  private failed: Record<string, number> = {};
  private readonly counter = new QueryCounter();
  private poolSamples = 0;
  private poolWaitingSum = 0;
  private poolWaitingMax = 0;
  private poolBusySum = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly pool: PgPoolGauges | null;

  constructor(queue: Queue, dataSource: DataSource, detailed: boolean) {
    queue.on('completed', () => this.completed++);
    queue.on('failed', (_job, error: Error) => {
      this.failed[error.name] = (this.failed[error.name] ?? 0) + 1;
    });
    const master: unknown = (dataSource.driver as unknown as { master?: unknown }).master;
    this.pool = isPgPool(master) ? master : null;
    if (!detailed) return;
    dataSource.subscribers.push(this.counter);
    const pool = this.pool;
    if (pool) {
      this.timer = setInterval(() => {
        this.poolSamples++;
        this.poolWaitingSum += pool.waitingCount;
        this.poolWaitingMax = Math.max(this.poolWaitingMax, pool.waitingCount);
        this.poolBusySum += pool.totalCount - pool.idleCount;
      }, POOL_SAMPLE_EVERY_MS);
      this.timer.unref();
    }
  }

  reset(): void {
    this.completed = 0;
    this.failed = {};
    this.counter.stats.clear();
    this.poolSamples = 0;
    this.poolWaitingSum = 0;
    this.poolWaitingMax = 0;
    this.poolBusySum = 0;
  }

  report(): WorkerInstrumentation {
    const samples = this.poolSamples;
    return {
      jobsCompleted: this.completed,
      jobsFailed: { ...this.failed },
      queries: [...this.counter.stats.values()].sort((a, b) => b.count - a.count),
      pool:
        samples === 0
          ? null
          : {
              samples,
              meanWaiting: this.poolWaitingSum / samples,
              maxWaiting: this.poolWaitingMax,
              meanBusy: this.poolBusySum / samples,
            },
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
