import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { WebhookDelivery } from '../storage/entities/delivery.entity';
import { DeliveryQueue } from './delivery.queue';
import {
  WEBHOOK_LIFECYCLE_EVENTS,
  type SubscriptionEnabledEvent,
  type SubscriptionRef,
} from '../lifecycle/webhook-lifecycle.events';
import { WebhookNotifier } from '../lifecycle/webhook-notifier';
import {
  WebhookSubscription,
  type SubscriptionStatus,
} from '../storage/entities/subscription.entity';

/** Rows per batch when releasing held deliveries. */
const RELEASE_BATCH = 1_000;

export function subscriptionRef(
  subscription: Pick<WebhookSubscription, 'tenantId' | 'listId' | 'id' | 'url'>,
): SubscriptionRef {
  return {
    tenantId: subscription.tenantId,
    listId: subscription.listId,
    subscriptionId: subscription.id,
    url: subscription.url,
  };
}

/** Status changes of a subscription and what follows from them: held deliveries, notifications. */
@Injectable()
export class SubscriptionStateService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly notifier: WebhookNotifier,
  ) {}

  private get subscriptions() {
    return this.dataSource.getRepository(WebhookSubscription);
  }

  /** Stops deliveries (they are held, not lost). Returns false if it was already disabled. */
  async disable(
    subscription: Pick<WebhookSubscription, 'tenantId' | 'listId' | 'id' | 'url' | 'status'>,
    reason: string,
  ): Promise<boolean> {
    const result = await this.subscriptions
      .createQueryBuilder()
      .update()
      .set({ status: 'disabled', disabledReason: reason.slice(0, 500), disabledAt: new Date() })
      .where('id = :id AND status != :disabled', { id: subscription.id, disabled: 'disabled' })
      .execute();
    if (!result.affected) return false;
    Object.assign(subscription, { status: 'disabled', disabledReason: reason });
    this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.subscriptionDisabled, {
      ...subscriptionRef(subscription),
      reason,
    });
    return true;
  }

  /**
   * Makes the subscription active with clean failure counters, then sends what it held. Applies only
   * if it is still in the state the caller saw (`from`) at the URL that was tested, and, for
   * verification, with the challenge that was echoed: a concurrent edit (a new URL, a new challenge)
   * cannot be activated by an answer from the old endpoint. Returns whether it applied.
   */
  async enable(
    subscription: WebhookSubscription,
    via: SubscriptionEnabledEvent['via'] | null,
    from: SubscriptionStatus,
  ): Promise<boolean> {
    const healthy = {
      status: 'active',
      disabledReason: null,
      disabledAt: null,
      consecutiveFailures: 0,
      failingSince: null,
      verificationChallenge: null,
    } as const;
    const update = this.subscriptions
      .createQueryBuilder()
      .update()
      .set(healthy)
      .where('id = :id AND status = :from AND url = :url', {
        id: subscription.id,
        from,
        url: subscription.url,
      });
    if (from === 'pending_verification') {
      update.andWhere('verificationChallenge = :challenge', {
        challenge: subscription.verificationChallenge,
      });
    }
    const result = await update.execute();
    if (!result.affected) return false;
    Object.assign(subscription, healthy);
    await this.releaseHeld(subscription.id);
    if (via) {
      this.notifier.notify(WEBHOOK_LIFECYCLE_EVENTS.subscriptionEnabled, {
        ...subscriptionRef(subscription),
        via,
      });
    }
    return true;
  }

  /**
   * Marks a delivery held because its subscription is not active. If the subscription became active
   * meanwhile, the hold is undone and the caller's job must be retried (it still exists in Bull, so
   * enqueueing the same attempt again would be a no-op). Returns whether the delivery stays held.
   */
  async hold(
    delivery: Pick<WebhookDelivery, 'id' | 'attempts' | 'subscriptionId'>,
  ): Promise<boolean> {
    const deliveries = this.dataSource.getRepository(WebhookDelivery);
    await deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'held', nextAttemptAt: null })
      .where('id = :id AND attempts = :attempts', { id: delivery.id, attempts: delivery.attempts })
      .execute();
    const current = await this.subscriptions.findOne({
      where: { id: delivery.subscriptionId },
      select: { id: true, status: true },
    });
    if (current?.status !== 'active') return true;
    await deliveries
      .createQueryBuilder()
      .update()
      .set({ status: 'pending', nextAttemptAt: new Date() })
      .where('id = :id AND status = :held', { id: delivery.id, held: 'held' })
      .execute();
    return false;
  }

  /** Puts every held delivery of the subscription back in the queue. */
  async releaseHeld(subscriptionId: string): Promise<number> {
    let released = 0;
    for (;;) {
      const held = await this.dataSource.getRepository(WebhookDelivery).find({
        where: { subscriptionId, status: 'held' },
        select: { id: true, attempts: true },
        order: { id: 'ASC' },
        take: RELEASE_BATCH,
      });
      if (held.length === 0) return released;
      await this.dataSource
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({ status: 'pending', nextAttemptAt: new Date() })
        .whereInIds(held.map((delivery) => delivery.id))
        .andWhere('status = :held', { held: 'held' })
        .execute();
      await this.deliveryQueue.enqueueNow(
        held.map((delivery) => ({ deliveryId: delivery.id, attempt: delivery.attempts + 1 })),
        'scheduled',
      );
      released += held.length;
    }
  }
}
