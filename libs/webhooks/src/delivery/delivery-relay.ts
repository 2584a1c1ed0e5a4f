import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PeriodicRun } from '../common/periodic-run';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryStore } from '../storage/delivery.store';
import { DeliveryQueue } from './delivery.queue';

const BATCH = 1_000;
const MAX_BATCHES_PER_RUN = 20;

/**
 * The database, not Redis, is the source of truth. Every worker re-enqueues, on a timer, the
 * deliveries that are due but may have no job: committed just before a crash, or lost with Redis's
 * data. Job ids come from the delivery's state, so Bull ignores the ones it still has, and several
 * workers relaying at once cannot cause double sends.
 */
@Injectable()
export class DeliveryRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhooksRelay');
  private readonly timer = new PeriodicRun();

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly deliveries: DeliveryStore,
    private readonly deliveryQueue: DeliveryQueue,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.worker || this.options.relayIntervalMs === 0) return;
    this.timer.start(
      this.options.relayIntervalMs,
      () => this.relay(),
      (error: unknown) => this.logger.warn(`Relay run failed, will retry: ${String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.timer.stop();
  }

  /** Re-enqueues due deliveries, oldest first. Returns how many were offered to the queue. */
  async relay(now = new Date()): Promise<number> {
    // Jobs of the last interval are normally still on their way; leave them be.
    const cutoff = new Date(now.getTime() - this.options.relayIntervalMs);
    // Held deliveries whose subscription is active again: a crash between resuming and releasing.
    await this.deliveries.releaseOrphanedHolds(cutoff);
    let after: string | null = null;
    let offered = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const due = await this.deliveries.findDue(cutoff, after, BATCH);
      if (due.length === 0) break;
      await this.deliveryQueue.enqueueNow(due);
      offered += due.length;
      after = due[due.length - 1].deliveryId;
      if (due.length < BATCH) break;
    }
    await this.deliveryQueue.ensureProbeSchedule(this.options.probeDisabledEveryMs);
    return offered;
  }
}
