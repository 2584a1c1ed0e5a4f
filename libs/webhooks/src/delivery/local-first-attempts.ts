import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryProcessor } from './delivery.processor';
import { uncarried } from './carried-rows';
import { DeliveryQueue, type FreshDelivery } from './delivery.queue';

/**
 * First attempts that a process which both emits and delivers runs itself, straight after their
 * deliveries commit: no Redis round trip to enqueue them and none for a worker to pick them up (two of
 * the five hops between an emit and its receiver). What does not fit in the worker's concurrency goes
 * through Bull as before, so the other workers share a burst.
 *
 * At-least-once holds as for a Bull job: the deliveries are committed and due, so if this process
 * dies before recording an attempt, the relay offers it one relay interval later; an infrastructure
 * error (database down) hands the attempts to Bull, which backs off and runs them again.
 */
@Injectable()
export class LocalFirstAttempts implements OnModuleDestroy {
  private readonly logger = new Logger('WebhooksWorker');
  private readonly running = new Set<Promise<void>>();
  /** Deliveries taken and not yet done. */
  private taken = 0;
  private closing = false;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly processor: DeliveryProcessor,
    private readonly deliveryQueue: DeliveryQueue,
  ) {}

  /** Starts the first attempts of as many deliveries as there is room for; returns the others. */
  take(deliveries: readonly FreshDelivery[]): readonly FreshDelivery[] {
    const { worker, localFirstAttempts, concurrency } = this.options;
    if (!worker || !localFirstAttempts || this.closing) return deliveries;
    const room = concurrency - this.taken;
    if (room <= 0) return deliveries;
    const mine = deliveries.slice(0, room);
    this.taken += mine.length;
    const run: Promise<void> = this.processor
      .processFirstAttempts(mine)
      .catch((error: unknown) => this.handToQueue(mine, error))
      .finally(() => {
        this.taken -= mine.length;
        this.running.delete(run);
      });
    this.running.add(run);
    return deliveries.slice(mine.length);
  }

  /** Runs before the queue and the database close, like Bull's wait for its active jobs. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.running]);
  }

  private async handToQueue(deliveries: FreshDelivery[], error: unknown): Promise<void> {
    this.logger.warn(`First attempts run here failed, handing them to the queue: ${String(error)}`);
    await this.deliveryQueue
      .enqueueFirstAttempts(deliveries.map(uncarried))
      .catch((queueError: unknown) =>
        this.logger.warn(
          `…which failed too; the relay offers them when due: ${String(queueError)}`,
        ),
      );
  }
}
