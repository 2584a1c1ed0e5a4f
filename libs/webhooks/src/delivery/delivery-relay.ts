import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { WebhookSubscription } from '../storage/entities/subscription.entity';
import { WebhookDelivery } from '../storage/entities/delivery.entity';
import { DeliveryQueue } from './delivery.queue';

const BATCH = 1_000;
/** Keyset start: PostgreSQL's uuid type compares only with UUIDs. */
const LOWEST_UUID = '00000000-0000-0000-0000-000000000000';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveryQueue: DeliveryQueue,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.worker || this.options.relayIntervalMs === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.relay()
        .catch((error: unknown) =>
          this.logger.warn(`Relay run failed, will retry: ${String(error)}`),
        )
        .finally(() => (this.running = undefined));
    }, this.options.relayIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Held deliveries whose subscription is active again (a crash between resuming and releasing). */
  private async releaseOrphanedHolds(dueAt: Date): Promise<void> {
    const active = this.dataSource
      .getRepository(WebhookSubscription)
      .createQueryBuilder('subscription')
      .select('subscription.id')
      .where('subscription.status = :active');
    await this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', nextAttemptAt: dueAt })
      .where('status = :held')
      .andWhere(`subscriptionId IN (${active.getQuery()})`)
      .setParameters({ held: 'held', active: 'active' })
      .execute();
  }

  /** Re-enqueues due deliveries, oldest first. Returns how many were offered to the queue. */
  async relay(now = new Date()): Promise<number> {
    // Jobs of the last interval are normally still on their way; leave them be.
    const cutoff = new Date(now.getTime() - this.options.relayIntervalMs);
    await this.releaseOrphanedHolds(cutoff);
    let after = LOWEST_UUID;
    let offered = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
      const due = await this.dataSource
        .getRepository(WebhookDelivery)
        .createQueryBuilder('delivery')
        .select(['delivery.id', 'delivery.attempts'])
        .where('delivery.status IN (:...statuses)', { statuses: ['pending', 'failed'] })
        .andWhere('delivery.nextAttemptAt <= :cutoff', { cutoff })
        .andWhere('delivery.id > :after', { after })
        .orderBy('delivery.id', 'ASC')
        .limit(BATCH)
        .getMany();
      if (due.length === 0) break;
      await this.deliveryQueue.enqueueNow(
        due.map((delivery) => ({ deliveryId: delivery.id, attempt: delivery.attempts + 1 })),
      );
      offered += due.length;
      after = due[due.length - 1].id;
      if (due.length < BATCH) break;
    }
    await this.deliveryQueue.ensureProbeSchedule(this.options.probeDisabledEveryMs);
    return offered;
  }
}
