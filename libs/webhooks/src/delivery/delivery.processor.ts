import { Inject, Injectable } from '@nestjs/common';
import { SubscriptionStateService } from '../subscriptions/subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryAttempter } from './delivery-attempter';
import { DeliveryLoader } from './delivery-loader';
import { Semaphore } from '../common/semaphore';
import { DeliveryQueue, type DeliveryJobData, type FirstAttemptsJobData } from './delivery.queue';
import { OriginLimiter } from './origin-limiter';

/** Thrown to hand a job back to Bull for a short while when its origin has no free slot. */
export class OriginBusyError extends Error {
  constructor(origin: string) {
    super(`${origin} has no free delivery slot`);
    this.name = 'OriginBusyError';
  }
}

/** Thrown to have Bull run the same job again shortly (see `deliveryBackoff`). */
export class RetrySoonError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetrySoonError';
  }
}

function isDeliveryJobData(data: unknown): data is DeliveryJobData {
  const { deliveryId, attempt } = (data ?? {}) as Partial<DeliveryJobData>;
  return (
    typeof deliveryId === 'string' &&
    deliveryId.length > 0 &&
    Number.isInteger(attempt) &&
    (attempt ?? 0) >= 1
  );
}

function isFirstAttemptsJobData(data: unknown): data is FirstAttemptsJobData {
  const { deliveryIds } = (data ?? {}) as Partial<FirstAttemptsJobData>;
  return Array.isArray(deliveryIds) && deliveryIds.every((id) => typeof id === 'string' && id);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** What to do with an attempt whose origin has no free slot. */
type WhenOriginBusy = 'throw' | 'enqueue-alone';

/** Delay before an attempt split off a first-attempts job because its origin was busy. */
const BUSY_ORIGIN_DELAY_MS = 250;

/** Runs queued attempts of deliveries; schedules the next attempt when one is due. */
@Injectable()
export class DeliveryProcessor {
  private readonly limiter: OriginLimiter;
  /** HTTP requests in flight in this process, whatever job they belong to. */
  private readonly inFlight: Semaphore;
  private readonly requestTimeoutMs: number;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    private readonly loader: DeliveryLoader,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
    private readonly deliveryQueue: DeliveryQueue,
  ) {
    this.limiter = new OriginLimiter(options.maxInFlightPerOrigin);
    this.inFlight = new Semaphore(options.concurrency);
    this.requestTimeoutMs = options.requestTimeoutMs;
  }

  async process(data: unknown): Promise<void> {
    if (isFirstAttemptsJobData(data)) return this.processFirstAttempts(data.deliveryIds);
    // A job whose Redis hash lost its data (Redis flushed while it was in flight, then Bull's failure
    // bookkeeping re-created the hash) must finish as a no-op: that frees its id for the relay, and a
    // lookup by an undefined id must never run.
    if (!isDeliveryJobData(data)) return;
    await this.deliver(data, 'throw');
  }

  /**
   * First attempts of freshly emitted deliveries travel together: one job, one load, one record
   * batch. One that cannot go now (busy origin) leaves as a job of its own, so that a slow receiver
   * never holds the others back. An infrastructure error fails the job after the others are done;
   * Bull runs it again and the attempts already recorded are skipped as stale.
   */
  private async processFirstAttempts(deliveryIds: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(
      deliveryIds.map((deliveryId) => this.deliver({ deliveryId, attempt: 1 }, 'enqueue-alone')),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private async deliver(data: DeliveryJobData, whenBusy: WhenOriginBusy): Promise<void> {
    const { deliveryId, attempt, trigger = 'scheduled' } = data;
    // Checked again below; this early check spares a database read for every bounce.
    if (whenBusy === 'throw' && data.origin && !this.limiter.hasRoom(data.origin))
      throw new OriginBusyError(data.origin);
    const loaded = await this.loader.load(deliveryId);
    if (!loaded) return;
    const { delivery, event, subscription } = loaded;
    // A job for a finished or held delivery, or for an attempt already made, is stale.
    if (delivery.attempts !== attempt - 1) return;
    if (
      delivery.status === 'succeeded' ||
      delivery.status === 'exhausted' ||
      delivery.status === 'held'
    )
      return;
    if (subscription.status !== 'active') {
      if (await this.state.hold(delivery)) return;
      throw new RetrySoonError('its subscription became active while it was being held');
    }

    const origin = originOf(subscription.url);
    await this.inFlight.acquire();
    let report;
    try {
      if (!this.limiter.tryAcquire(origin)) {
        if (whenBusy === 'throw') throw new OriginBusyError(origin);
        // A troubled origin serves one request per timeout at best: come back no sooner.
        const delayMs = this.limiter.isTroubled(origin)
          ? this.requestTimeoutMs
          : BUSY_ORIGIN_DELAY_MS;
        await this.deliveryQueue.enqueueAttempt(deliveryId, attempt, delayMs, origin);
        return;
      }
      try {
        report = await this.attempter.attempt({
          delivery,
          event,
          subscription,
          attempt,
          trigger,
          retries: true,
        });
      } finally {
        this.limiter.release(origin);
      }
    } finally {
      this.inFlight.release();
    }
    const { errorKind } = report.outcome;
    if (errorKind === 'timeout' || errorKind === 'connection') this.limiter.reportTrouble(origin);
    else this.limiter.reportHealthy(origin);

    if (report.recorded && report.decision.retryDelayMs !== null) {
      await this.deliveryQueue.enqueueAttempt(
        deliveryId,
        attempt + 1,
        report.decision.retryDelayMs,
        origin,
      );
    }
  }
}
