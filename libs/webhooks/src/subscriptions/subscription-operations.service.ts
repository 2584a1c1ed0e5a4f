import { Inject, Injectable } from '@nestjs/common';
import { DeliveryAttempter } from '../delivery/delivery-attempter';
import { DeliveryQueue } from '../delivery/delivery.queue';
import { EndpointVerifier } from '../delivery/endpoint-verifier';
import { uuidv7LowerBound } from '../common/uuidv7-bound';
import { WEBHOOK_TEST_EVENT, WEBHOOK_VERIFICATION_EVENT } from '../catalogue/event-catalogue';
import type { AttemptReport } from '../delivery/delivery-attempter';
import { generateWebhookSecret } from '../security/secrets';
import {
  DeliveryNotFoundError,
  InvalidWebhookEventError,
  SubscriptionStateConflictError,
} from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { DeliveryStore, type AttemptRef } from '../storage/delivery.store';
import type { WebhookDelivery } from '../storage/entities/delivery.entity';
import { SubscriptionStore } from '../storage/subscription.store';
import type { TestDeliveryResult } from './subscription.views';
import { WebhookSubscriptionsService, type SubscriptionScope } from './subscriptions.service';

/**
 * Rotations closer together are refused: the secret in between would never sign anything, and the
 * one before would lose its grace period at once (a receiver still using it would reject everything).
 */
export const MIN_ROTATION_INTERVAL_MS = 10_000;

/** Deliveries requeued by one recover call at most; call again with a later `since` for more. */
export const MAX_RECOVER = 10_000;

function toTestResult(report: AttemptReport): TestDeliveryResult {
  const delivered = report.decision.status === 'succeeded';
  return {
    delivered,
    statusCode: report.outcome.statusCode,
    durationMs: report.outcome.durationMs,
    ...(!delivered && {
      error: report.outcome.errorMessage ?? report.outcome.errorKind ?? 'failed',
    }),
  };
}

/** Throws unless the delivery can be redelivered: missing (404) or cancelled (409). */
function assertRedeliverable(
  delivery: WebhookDelivery | null,
  deliveryId: string,
): asserts delivery is WebhookDelivery {
  if (!delivery) throw new DeliveryNotFoundError(deliveryId);
  if (delivery.status === 'cancelled') {
    throw new SubscriptionStateConflictError(
      'the delivery was cancelled when its subject was erased: it is never sent again',
    );
  }
}

/** What an operator does to a live subscription: test, redeliver, recover, rotate, verify. */
@Injectable()
export class WebhookOperationsService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly subscriptions: WebhookSubscriptionsService,
    private readonly subscriptionStore: SubscriptionStore,
    private readonly deliveries: DeliveryStore,
    private readonly attempter: DeliveryAttempter,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly verifier: EndpointVerifier,
  ) {}

  /** Sends a `webhook.test` event now, whatever the subscription's status, and logs the attempt. */
  async sendTest(scope: SubscriptionScope, id: string): Promise<TestDeliveryResult> {
    const subscription = await this.subscriptions.get(scope, id);
    const report = await this.attempter.sendNow(subscription, {
      type: WEBHOOK_TEST_EVENT,
      source: 'admin',
      data: { message: 'This is a test event.', subscriptionId: subscription.id },
      trigger: 'test',
    });
    if (report.decision.status === 'succeeded') {
      await this.subscriptionStore.markTestSucceeded(id, new Date());
    }
    return toTestResult(report);
  }

  /**
   * A new attempt of the delivery, whatever its state but cancelled, with the same `webhook-id`.
   * `merged` when its next attempt was queued already (by another redelivery or a retry): that one
   * is brought forward, no second request is sent.
   */
  async redeliver(
    scope: SubscriptionScope,
    id: string,
    deliveryId: string,
  ): Promise<{ deliveryId: string; attempt: number; merged: boolean }> {
    await this.subscriptions.get(scope, id);
    const delivery = await this.deliveries.findOne(scope.tenantId, id, deliveryId);
    assertRedeliverable(delivery, deliveryId);
    const attempt = delivery.attempts + 1;
    const requeued = await this.deliveries.requeueOne(delivery.id, new Date());
    if (requeued === 'gone') {
      // Pruned by retention or cancelled by an erasure since it was read: answered as if before.
      assertRedeliverable(
        await this.deliveries.findOne(scope.tenantId, id, deliveryId),
        deliveryId,
      );
      throw new DeliveryNotFoundError(deliveryId);
    }
    await this.deliveryQueue.enqueueNow([{ deliveryId, attempt }], 'redelivery');
    return { deliveryId, attempt, merged: requeued === 'merged' };
  }

  /** Retries every failed or exhausted delivery of the subscription created since `since`. */
  async recover(scope: SubscriptionScope, id: string, since: Date): Promise<{ requeued: number }> {
    if (since.getTime() > Date.now())
      throw new InvalidWebhookEventError('since', 'must not be in the future');
    await this.subscriptions.get(scope, id);
    const deliveries = await this.deliveries.findRecoverable({
      tenantId: scope.tenantId,
      subscriptionId: id,
      // Event ids are UUIDv7 from the emitting process's clock, like `since`: comparing them avoids
      // comparing the database's clock (which mints delivery ids on PostgreSQL) with ours.
      fromEventId: uuidv7LowerBound(since),
      // Test pings, probes and challenges are answers to a moment, not events to recover.
      excludedTypes: [WEBHOOK_TEST_EVENT, WEBHOOK_VERIFICATION_EVENT],
      limit: MAX_RECOVER,
    });
    return { requeued: (await this.requeue(deliveries)).length };
  }

  /** A new secret; the old one keeps signing (second signature) for the grace period. */
  async rotateSecret(
    scope: SubscriptionScope,
    id: string,
  ): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const subscription = await this.subscriptions.get(scope, id);
    const secret = generateWebhookSecret();
    const previousSecretExpiresAt = new Date(Date.now() + this.options.secretRotationGraceMs);
    const rotated = await this.subscriptionStore.rotateSecret(id, {
      current: subscription.secret,
      secret,
      currentExpiresAt: previousSecretExpiresAt,
      latestPreviousExpiry: new Date(previousSecretExpiresAt.getTime() - MIN_ROTATION_INTERVAL_MS),
    });
    if (!rotated) {
      throw new SubscriptionStateConflictError(
        `the secret was rotated by another request meanwhile or less than ${MIN_ROTATION_INTERVAL_MS / 1000} s ago: the secret in force is at GET …/secret`,
      );
    }
    return { secret, previousSecretExpiresAt };
  }

  /** Sends the ownership challenge again to a subscription in `pending_verification`. */
  async verify(
    scope: SubscriptionScope,
    id: string,
  ): Promise<TestDeliveryResult & { status: string }> {
    const subscription = await this.subscriptions.get(scope, id);
    if (subscription.status !== 'pending_verification') {
      throw new SubscriptionStateConflictError(
        `status is ${subscription.status}: only pending_verification subscriptions are verified`,
      );
    }
    const report = await this.verifier.verify(id);
    const current = await this.subscriptions.get(scope, id);
    if (!report)
      return {
        delivered: false,
        statusCode: null,
        durationMs: 0,
        error: 'not pending verification',
        status: current.status,
      };
    return { ...toTestResult(report), status: current.status };
  }

  private async requeue(attempts: AttemptRef[]): Promise<AttemptRef[]> {
    if (attempts.length === 0) return [];
    await this.deliveries.requeue(
      attempts.map((attempt) => attempt.deliveryId),
      new Date(),
    );
    await this.deliveryQueue.enqueueNow(attempts, 'redelivery');
    return attempts;
  }
}
