import { InjectQueue } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import type { Queue } from 'bull';
import { uuidv7LowerBound } from '../common/uuidv7-bound';
import { DeliveryWorker } from '../delivery/delivery.worker';
import { WebhooksMetrics } from '../metrics/webhooks-metrics';
import { HistoryStore, type PrunedRows } from '../storage/history.store';
import { PRUNE_HISTORY_JOB, WEBHOOKS_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { HistoryLock } from './history-lock';

/** Longest a dead pruner keeps the others waiting; a live one extends it after every batch. */
const LOCK_TTL_MS = 5 * 60_000;
const SCHEDULE = { jobId: PRUNE_HISTORY_JOB, attempts: 1 } as const;

/**
 * Retention: deletes settled events older than `retention.settledAfterMs` (failed ones after
 * `retention.failedAfterMs`) with their deliveries and attempts. A repeatable Bull job runs it on
 * one worker at a time, batch by batch, each batch a short transaction of its own, so the hot path
 * never waits long behind it.
 */
@Injectable()
export class HistoryPruner implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksRetention');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
    private readonly history: HistoryStore,
    private readonly metrics: WebhooksMetrics,
    private readonly worker: DeliveryWorker,
  ) {}

  /** The worker attaches the job's handler with the queue's others (see DeliveryWorker for why). */
  onModuleInit(): void {
    this.worker.addJob(PRUNE_HISTORY_JOB, () => this.pruneExclusively(), 'History pruning stopped');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.worker) return;
    await this.ensureSchedule(this.options.pruneEveryMs);
  }

  /** Prunes unless another process is pruning (then resolves null). */
  async pruneExclusively(now = new Date()): Promise<PrunedRows | null> {
    const lock = await HistoryLock.acquire(
      this.queue.client,
      this.queue.toKey(`${PRUNE_HISTORY_JOB}:lock`),
      LOCK_TTL_MS,
    );
    if (!lock) return null;
    try {
      return await this.prune(now, () => lock.extend());
    } finally {
      await lock.release();
    }
  }

  /**
   * One pass over the history as of `now`: every prunable event goes. `stillMine` is asked between
   * batches; a pass that lost its lock stops there.
   */
  async prune(
    now = new Date(),
    stillMine: () => Promise<boolean> = () => Promise.resolve(true),
  ): Promise<PrunedRows> {
    const total: PrunedRows = { events: 0, deliveries: 0, attempts: 0 };
    const settledBefore = this.boundOf(now, this.options.retentionSettledAfterMs);
    const failedBefore = this.boundOf(now, this.options.retentionFailedAfterMs);
    const bounds = [settledBefore, failedBefore].filter((bound) => bound !== null);
    if (bounds.length === 0) return total;
    const scanBefore = bounds.reduce((youngest, bound) => (bound > youngest ? bound : youngest));
    const started = Date.now();
    let afterId: string | null = null;
    do {
      const batch = await this.history.pruneBatch({
        afterId,
        scanBefore,
        settledBefore,
        failedBefore,
        limit: this.options.pruneBatchSize,
      });
      total.events += batch.pruned.events;
      total.deliveries += batch.pruned.deliveries;
      total.attempts += batch.pruned.attempts;
      this.metrics.recordPruned(batch.pruned);
      afterId = batch.lastScannedId;
    } while (afterId !== null && (await stillMine()));
    if (total.events > 0) {
      this.logger.log(
        `Pruned ${total.events} events, ${total.deliveries} deliveries and ${total.attempts} attempts in ${Date.now() - started} ms`,
      );
    }
    return total;
  }

  /** One repeatable job for the whole fleet, at the configured interval; idempotent. */
  private async ensureSchedule(everyMs: number): Promise<void> {
    for (const repeatable of await this.queue.getRepeatableJobs()) {
      if (repeatable.name === PRUNE_HISTORY_JOB && Number(repeatable.every) !== everyMs) {
        await this.queue.removeRepeatableByKey(repeatable.key);
      }
    }
    if (everyMs > 0)
      await this.queue.add(PRUNE_HISTORY_JOB, {}, { ...SCHEDULE, repeat: { every: everyMs } });
  }

  private boundOf(now: Date, ageMs: number): string | null {
    return ageMs > 0 ? uuidv7LowerBound(new Date(now.getTime() - ageMs)) : null;
  }
}
