import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DeliveryAttempter } from '../delivery/delivery-attempter';
import { WebhookDelivery } from '../storage/entities/delivery.entity';
import { DeliveryQueue } from '../delivery/delivery.queue';
import { EndpointVerifier } from '../delivery/endpoint-verifier';
import { uuidv7LowerBound } from '../common/uuidv7-bound';
import { WEBHOOK_TEST_EVENT, WEBHOOK_VERIFICATION_EVENT } from '../catalogue/event-catalogue';
import { WebhookEvent } from '../storage/entities/event.entity';
import type { AttemptReport } from '../delivery/delivery-attempter';
import { generateWebhookSecret } from '../security/secrets';
import {
  DeliveryNotFoundError,
  InvalidWebhookEventError,
  SubscriptionStateConflictError,
} from '../webhooks.errors';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { WebhookSubscription } from '../storage/entities/subscription.entity';
import type { TestDeliveryResult } from './subscription.views';
import { WebhookSubscriptionsService, type SubscriptionScope } from './subscriptions.service';

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

/** What an operator does to a live subscription: test, redeliver, recover, rotate, verify. */
@Injectable()
export class WebhookOperationsService {
  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subscriptions: WebhookSubscriptionsService,
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
      await this.dataSource
        .getRepository(WebhookSubscription)
        .update({ id }, { lastTestSucceededAt: new Date() });
    }
    return toTestResult(report);
  }

  /** A new attempt of the delivery, whatever its state, with the same `webhook-id`. */
  async redeliver(
    scope: SubscriptionScope,
    id: string,
    deliveryId: string,
  ): Promise<{ deliveryId: string; attempt: number }> {
    await this.subscriptions.get(scope, id);
    const delivery = await this.dataSource
      .getRepository(WebhookDelivery)
      .findOneBy({ id: deliveryId, subscriptionId: id, tenantId: scope.tenantId });
    if (!delivery) throw new DeliveryNotFoundError(deliveryId);
    const [requeued] = await this.requeue([delivery]);
    return { deliveryId, attempt: requeued.attempt };
  }

  /** Retries every failed or exhausted delivery of the subscription created since `since`. */
  async recover(scope: SubscriptionScope, id: string, since: Date): Promise<{ requeued: number }> {
    if (since.getTime() > Date.now())
      throw new InvalidWebhookEventError('since', 'must not be in the future');
    await this.subscriptions.get(scope, id);
    const deliveries = await this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('delivery')
      .select(['delivery.id', 'delivery.attempts'])
      .innerJoin(WebhookEvent, 'event', 'event.id = delivery.eventId')
      .where('delivery.subscriptionId = :id', { id })
      .andWhere('delivery.tenantId = :tenantId', { tenantId: scope.tenantId })
      .andWhere('delivery.status IN (:...statuses)', { statuses: ['failed', 'exhausted'] })
      // Event ids are UUIDv7 from the emitting process's clock, like `since`: comparing them avoids
      // comparing the database's clock (which mints delivery ids on PostgreSQL) with ours.
      .andWhere('event.id >= :since', { since: uuidv7LowerBound(since) })
      // Test pings, probes and challenges are answers to a moment, not events to recover.
      .andWhere('event.type NOT IN (:...direct)', {
        direct: [WEBHOOK_TEST_EVENT, WEBHOOK_VERIFICATION_EVENT],
      })
      .orderBy('delivery.id', 'ASC')
      .limit(MAX_RECOVER)
      .getMany();
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
    const result = await this.dataSource
      .getRepository(WebhookSubscription)
      .createQueryBuilder()
      .update()
      .set({ secret, previousSecret: subscription.secret, previousSecretExpiresAt })
      .where('id = :id AND secret = :current', { id, current: subscription.secret })
      .execute();
    if (!result.affected) {
      throw new SubscriptionStateConflictError(
        'the secret was rotated by another request meanwhile: read it again',
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

  private async requeue(deliveries: Array<Pick<WebhookDelivery, 'id' | 'attempts'>>) {
    if (deliveries.length === 0) return [];
    await this.dataSource
      .createQueryBuilder()
      .update(WebhookDelivery)
      .set({ status: 'pending', nextAttemptAt: new Date() })
      .whereInIds(deliveries.map((delivery) => delivery.id))
      .execute();
    const attempts = deliveries.map((delivery) => ({
      deliveryId: delivery.id,
      attempt: delivery.attempts + 1,
    }));
    await this.deliveryQueue.enqueueNow(attempts, 'redelivery');
    return attempts;
  }
}
