import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { WebhookEvent } from '../events/event.entity';
import { WebhookSubscription } from '../subscriptions/subscription.entity';
import { SubscriptionStateService } from '../subscriptions/subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryAttempter } from './delivery-attempter';
import { WebhookDelivery } from './delivery.entity';
import { DeliveryQueue, type DeliveryJobData } from './delivery.queue';
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

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Runs one queued attempt of one delivery; schedules the next attempt when one is due. */
@Injectable()
export class DeliveryProcessor {
  private readonly limiter: OriginLimiter;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
    private readonly deliveryQueue: DeliveryQueue,
  ) {
    this.limiter = new OriginLimiter(options.maxInFlightPerOrigin);
  }

  async process(data: DeliveryJobData): Promise<void> {
    // A job whose Redis hash lost its data (Redis flushed while it was in flight, then Bull's failure
    // bookkeeping re-created the hash) must finish as a no-op: that frees its id for the relay, and a
    // lookup by an undefined id must never run.
    if (!isDeliveryJobData(data)) return;
    const { deliveryId, attempt, trigger = 'scheduled' } = data;
    const manager = this.dataSource.manager;
    const delivery = await manager.findOneBy(WebhookDelivery, { id: deliveryId });
    // A job for a removed delivery, a finished or held one, or an attempt already made is stale.
    if (!delivery || delivery.attempts !== attempt - 1) return;
    if (
      delivery.status === 'succeeded' ||
      delivery.status === 'exhausted' ||
      delivery.status === 'held'
    )
      return;
    const [event, subscription] = await Promise.all([
      manager.findOneBy(WebhookEvent, { id: delivery.eventId }),
      manager.findOneBy(WebhookSubscription, { id: delivery.subscriptionId }),
    ]);
    if (!event || !subscription) return;
    if (subscription.status !== 'active') {
      if (await this.state.hold(delivery)) return;
      throw new RetrySoonError('its subscription became active while it was being held');
    }

    const origin = originOf(subscription.url);
    if (!this.limiter.tryAcquire(origin)) throw new OriginBusyError(origin);
    let report;
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
    const { errorKind } = report.outcome;
    if (errorKind === 'timeout' || errorKind === 'connection') this.limiter.reportTrouble(origin);
    else this.limiter.reportHealthy(origin);

    if (report.recorded && report.decision.retryDelayMs !== null) {
      await this.deliveryQueue.enqueueAttempt(
        deliveryId,
        attempt + 1,
        report.decision.retryDelayMs,
      );
    }
  }
}
