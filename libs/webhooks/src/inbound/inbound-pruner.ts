import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { InboundEventStore } from '../storage/inbound-event.store';
import { PRUNE_INBOUND_JOB, WEBHOOKS_INBOUND_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';

const MAX_BATCHES_PER_RUN = 1_000;

/**
 * Retention of the inbox, on the outbound history's settings: processed events go after
 * `retention.settledAfterMs`, failed ones after `retention.failedAfterMs`, every
 * `retention.pruneEveryMs`, by a repeatable job that one worker runs per occurrence. Each batch is one
 * short statement; events still to be processed always stay.
 */
@Injectable()
export class InboundPruner implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebhooksRetention');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_INBOUND_QUEUE) private readonly queue: Queue,
    private readonly events: InboundEventStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.worker) return;
    // The job's handler is attached by InboundWorker, with the queue's other one (see there for why).
    const every = this.options.pruneEveryMs;
    for (const repeatable of await this.queue.getRepeatableJobs()) {
      if (repeatable.name === PRUNE_INBOUND_JOB && Number(repeatable.every) !== every) {
        await this.queue.removeRepeatableByKey(repeatable.key);
      }
    }
    // The same interval gives the same repeatable job: workers starting together add it once.
    if (every > 0) {
      await this.queue.add(
        PRUNE_INBOUND_JOB,
        {},
        { attempts: 1, repeat: { every }, removeOnComplete: true, removeOnFail: true },
      );
    }
  }

  /** Deletes what retention allows as of `now`. Returns how many events went. */
  async prune(now = new Date()): Promise<number> {
    const bound = (ms: number) => (ms > 0 ? new Date(now.getTime() - ms) : null);
    const processedBefore = bound(this.options.retentionSettledAfterMs);
    const failedBefore = bound(this.options.retentionFailedAfterMs);
    let pruned = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const deleted = await this.events.pruneSettled(
        processedBefore,
        failedBefore,
        this.options.pruneBatchSize,
      );
      pruned += deleted;
      if (deleted < this.options.pruneBatchSize) break;
    }
    if (pruned > 0) this.logger.log(`Pruned ${pruned} inbound events`);
    return pruned;
  }
}
