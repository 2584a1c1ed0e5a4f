import { Inject, Injectable } from '@nestjs/common';
import {
  WEBHOOK_LIFECYCLE_EVENTS,
  type SubscriptionEnabledEvent,
  type SubscriptionRef,
} from '../lifecycle/webhook-lifecycle.events';
import { WebhookNotifier } from '../lifecycle/webhook-notifier';
import { DeliveryStore } from '../storage/delivery.store';
import type { WebhookDelivery } from '../storage/entities/delivery.entity';
import type {
  SubscriptionStatus,
  WebhookSubscription,
} from '../storage/entities/subscription.entity';
import { ACTIVATED, SubscriptionStore } from '../storage/subscription.store';
import { SubscriptionStateConflictError } from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryQueue } from './delivery.queue';

/** The statuses an owner may ask for over the admin API. */
export type OwnerStatus = Extract<SubscriptionStatus, 'active' | 'paused'>;

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

/**
 * The one owner of subscription status changes made by the system and by owners alike: the rules of
 * what an owner may ask for, disabling, activating, holding and releasing, and what follows from
 * them (held deliveries, lifecycle events).
 */
@Injectable()
export class SubscriptionStateService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly subscriptions: SubscriptionStore,
    private readonly deliveries: DeliveryStore,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly notifier: WebhookNotifier,
  ) {}

  /**
   * Judges a status an owner asks for. Pausing is immediate; resuming a paused subscription sends what it
   * held; a disabled one is re-enabled only after a recent successful test ping.
   */
  planOwnerChange(
    subscription: WebhookSubscription,
    status: OwnerStatus,
  ): 'pause' | 'resume' | 'reenable' | null {
    if (status === subscription.status) return null;
    if (subscription.status === 'pending_verification') {
      throw new SubscriptionStateConflictError(
        'status cannot change before the endpoint is verified: answer the webhook.verification challenge, then POST …/verify',
      );
    }
    if (status === 'paused') {
      if (subscription.status === 'disabled') {
        throw new SubscriptionStateConflictError(
          'status of a disabled subscription can only be set to active',
        );
      }
      return 'pause';
    }
    if (subscription.status === 'paused') return 'resume';
    const window = Date.now() - this.options.reenableTestWindowMs;
    const since = Math.max(
      window,
      subscription.disabledAt ? new Date(subscription.disabledAt).getTime() : 0,
    );
    const tested = subscription.lastTestSucceededAt
      ? new Date(subscription.lastTestSucceededAt).getTime()
      : 0;
    if (tested < since) {
      throw new SubscriptionStateConflictError(
        'status active needs a successful test ping first: POST /lists/:listId/webhooks/:id/test',
      );
    }
    return 'reenable';
  }

  /** Stops deliveries (they are held, not lost). Returns false if it was already disabled. */
  async disable(
    subscription: Pick<WebhookSubscription, 'tenantId' | 'listId' | 'id' | 'url' | 'status'>,
    reason: string,
  ): Promise<boolean> {
    if (!(await this.subscriptions.disable(subscription.id, reason, new Date()))) return false;
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
    const applied = await this.subscriptions.activate(subscription.id, {
      from,
      url: subscription.url,
      challenge: subscription.verificationChallenge,
    });
    if (!applied) return false;
    Object.assign(subscription, ACTIVATED);
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
    await this.deliveries.hold(delivery.id, delivery.attempts);
    if ((await this.subscriptions.statusOf(delivery.subscriptionId)) !== 'active') return true;
    await this.deliveries.unhold(delivery.id);
    return false;
  }

  /** Puts every held delivery of the subscription back in the queue. */
  async releaseHeld(subscriptionId: string): Promise<number> {
    let released = 0;
    for (;;) {
      const held = await this.deliveries.releaseHeld(subscriptionId, RELEASE_BATCH, new Date());
      if (held.length === 0) return released;
      await this.deliveryQueue.enqueueNow(held, 'scheduled');
      released += held.length;
    }
  }
}
