import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SubscriptionStateService } from './subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { RetrySoonError } from '../webhooks.queue';
import { DeliveryAttempter, QueuedAttemptRequest } from './delivery-attempter';
import type { LoadedDelivery } from '../storage/delivery.store';
import { DeliveryLoader } from './delivery-loader';
import { DeliveryDueTimes, parkLeaseMs } from './delivery-due-times';
import { DeliveryQueue, isDeliveryJobData, isFirstAttemptsJobData } from './delivery.queue';
import { EndpointThrottle } from './endpoint-throttle';
import { OriginScheduler, originOf, type ScheduledAttempt } from './origin-scheduler';

type AttemptJob = ScheduledAttempt<LoadedDelivery>;

/**
 * Runs queued attempts of deliveries; schedules the next attempt when one is due. An attempt whose
 * origin has no free slot is parked by the `OriginScheduler` and runs when a slot frees up, so the
 * job that carried it finishes at once.
 */
@Injectable()
export class DeliveryProcessor implements OnModuleDestroy {
  private readonly logger = new Logger('WebhooksWorker');
  private readonly scheduler: OriginScheduler<LoadedDelivery>;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    private readonly loader: DeliveryLoader,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly dueTimes: DeliveryDueTimes,
    private readonly throttle: EndpointThrottle,
  ) {
    this.scheduler = new OriginScheduler(
      { ...options, parkLeaseMs: parkLeaseMs(options) },
      {
        resume: (job, origin) => this.deliver(job, origin),
        lease: (job, forMs) => dueTimes.lease(job, forMs),
        setDue: (jobs, at) => dueTimes.setDue(jobs, at),
        enqueue: (job, delayMs, origin) =>
          deliveryQueue.enqueueAttempt(job.deliveryId, job.attempt, delayMs, origin),
        warn: (message) => this.logger.warn(message),
      },
    );
  }

  async process(data: unknown): Promise<void> {
    if (isFirstAttemptsJobData(data)) return this.processFirstAttempts(data.deliveryIds);
    // A job whose Redis hash lost its data (Redis flushed while it was in flight, then Bull's failure
    // bookkeeping re-created the hash) must finish as a no-op: that frees its id for the relay, and a
    // lookup by an undefined id must never run.
    if (!isDeliveryJobData(data)) return;
    const { deliveryId, attempt, trigger = 'scheduled', origin, paced } = data;
    // This early check spares a database read when the origin is known to be busy.
    if (origin && this.scheduler.mustWait(origin)) {
      return this.scheduler.park({ deliveryId, attempt, trigger, paced }, origin);
    }
    await this.deliver({ deliveryId, attempt, trigger, paced });
  }

  /** Parked attempts go back to the relay: their deliveries are due again at once. */
  async onModuleDestroy(): Promise<void> {
    await this.scheduler.close();
  }

  /**
   * First attempts of freshly emitted deliveries travel together: one job, one load, one record
   * batch. An infrastructure error fails the job after the others are done; Bull runs it again and
   * the attempts already recorded are skipped as stale.
   */
  private async processFirstAttempts(deliveryIds: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(
      deliveryIds.map((deliveryId) =>
        this.deliver({ deliveryId, attempt: 1, trigger: 'scheduled' }),
      ),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /**
   * @param heldSlot the origin whose slot the caller already took for this attempt (a resumed one).
   */
  private async deliver(queued: AttemptJob, heldSlot?: string): Promise<void> {
    let job = queued;
    const { deliveryId, attempt, trigger } = job;
    let slot = heldSlot;
    try {
      // A parked attempt resuming within a second reuses its row: a fan-out parks thousands at once,
      // and loading each a second time made the bench's 10,000-delivery fan-out a fifth slower.
      const reused = this.scheduler.freshRow(job);
      const loaded = reused?.row ?? (await this.loader.load(deliveryId));
      if (!loaded) return;
      const { delivery, subscription } = loaded;
      // A job for a finished or held delivery, or for an attempt already made, is stale.
      if (delivery.attempts !== attempt - 1) return;
      if (
        delivery.status === 'succeeded' ||
        delivery.status === 'exhausted' ||
        delivery.status === 'held' ||
        delivery.status === 'cancelled'
      )
        return;
      if (subscription.status !== 'active') {
        if (await this.state.hold(delivery)) return;
        throw new RetrySoonError('its subscription became active while it was being held');
      }

      const origin = originOf(subscription.url);
      if (subscription.rateLimit !== null && !job.paced) {
        const waitMs = await this.throttle.reserve(subscription.id, subscription.rateLimit);
        if (waitMs > 0) {
          // Its turn is later: due then for the relay (a worker crash loses nothing), and queued
          // to run then. Not an attempt, so not a failure.
          await this.dueTimes.setDue([job], new Date(Date.now() + waitMs));
          return await this.deliveryQueue.enqueuePaced(job, waitMs, origin);
        }
        // Its turn is now, even if it has to wait for a slot of the origin below.
        job = { ...job, paced: true };
      }
      if (slot !== origin) {
        // The URL changed while the attempt was parked: it queues for its new origin.
        if (slot) this.scheduler.release(slot);
        slot = undefined;
        if (!this.scheduler.tryClaim(origin)) {
          const parked = { ...job, loaded: reused ?? { row: loaded, at: Date.now() } };
          return await this.scheduler.park(parked, origin, delivery.nextAttemptAt);
        }
        slot = origin;
      }
      const leaveLane = await this.scheduler.enterLane(origin);
      let report;
      try {
        report = await this.attempter.attempt(
          new QueuedAttemptRequest(loaded, attempt, trigger, ({ errorKind }) => {
            this.scheduler.requestEnded(origin, errorKind);
            slot = undefined;
            leaveLane();
          }),
        );
      } finally {
        leaveLane();
      }

      if (report.recorded && report.decision.retryDelayMs !== null) {
        await this.deliveryQueue.enqueueAttempt(
          deliveryId,
          attempt + 1,
          report.decision.retryDelayMs,
          origin,
        );
      }
    } finally {
      if (slot) this.scheduler.release(slot);
    }
  }
}
