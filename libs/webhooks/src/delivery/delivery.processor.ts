import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { WebhookEvent } from '../events/event.entity';
import { checkWebhookUrl } from '../security/url-policy';
import { webhookHeaders } from '../signing/signature';
import { WebhookSubscription } from '../subscriptions/subscription.entity';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { WebhookAttempt } from './attempt.entity';
import { WebhookDelivery, type DeliveryStatus } from './delivery.entity';
import { DeliveryQueue, type DeliveryJobData } from './delivery.queue';
import { HttpSender, type SendOutcome } from './http-sender';
import { nextRetryDelay } from './retry-policy';
import { buildWebhookBody } from './webhook-body';

/** Makes one attempt of one delivery and records it; schedules the next attempt when one is due. */
@Injectable()
export class DeliveryProcessor {
  private readonly logger = new Logger('WebhooksDelivery');

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sender: HttpSender,
    private readonly deliveryQueue: DeliveryQueue,
  ) {}

  async process({ deliveryId, attempt }: DeliveryJobData): Promise<void> {
    const manager = this.dataSource.manager;
    const delivery = await manager.findOneBy(WebhookDelivery, { id: deliveryId });
    // A job for a removed delivery, a finished one, or an attempt already made is stale.
    if (!delivery || delivery.attempts !== attempt - 1) return;
    if (delivery.status === 'succeeded' || delivery.status === 'exhausted') return;
    const [event, subscription] = await Promise.all([
      manager.findOneBy(WebhookEvent, { id: delivery.eventId }),
      manager.findOneBy(WebhookSubscription, { id: delivery.subscriptionId }),
    ]);
    if (!event || !subscription || subscription.status !== 'active') return;

    const outcome = await this.send(delivery, event, subscription);
    const succeeded = outcome.errorKind === null;
    const retryDelay = succeeded
      ? null
      : nextRetryDelay(this.options.retrySchedule, attempt, this.options.retryJitter);
    const status: DeliveryStatus = succeeded
      ? 'succeeded'
      : retryDelay === null
        ? 'exhausted'
        : 'failed';
    const now = new Date();
    const nextAttemptAt = retryDelay === null ? null : new Date(now.getTime() + retryDelay);

    const recorded = await this.dataSource.transaction(async (tx) => {
      await tx.insert(WebhookAttempt, {
        id: uuidv7(),
        deliveryId,
        attemptNumber: attempt,
        statusCode: outcome.statusCode,
        durationMs: outcome.durationMs,
        errorKind: outcome.errorKind,
        errorMessage: outcome.errorMessage,
        responseExcerpt: outcome.responseExcerpt,
        createdAt: now,
      });
      const result = await tx
        .createQueryBuilder()
        .update(WebhookDelivery)
        .set({
          status,
          attempts: attempt,
          lastAttemptAt: now,
          lastStatusCode: outcome.statusCode,
          nextAttemptAt,
        })
        .where('id = :deliveryId AND attempts = :previous', { deliveryId, previous: attempt - 1 })
        .execute();
      return (result.affected ?? 0) > 0;
    });

    if (!recorded) return;
    if (status === 'exhausted') {
      this.logger.warn(
        `Delivery ${deliveryId} exhausted after ${attempt} attempts (${outcome.errorMessage})`,
      );
    }
    if (retryDelay !== null)
      await this.deliveryQueue.enqueueAttempt(deliveryId, attempt + 1, retryDelay);
  }

  private async send(
    delivery: WebhookDelivery,
    event: WebhookEvent,
    subscription: WebhookSubscription,
  ): Promise<SendOutcome> {
    const check = checkWebhookUrl(subscription.url, this.options);
    if (!check.allowed) {
      return {
        statusCode: null,
        durationMs: 0,
        errorKind: 'address_blocked',
        errorMessage: check.reason,
        responseExcerpt: null,
        retryAfterMs: null,
      };
    }
    const body = buildWebhookBody(event);
    const timestamp = Math.floor(Date.now() / 1000);
    return this.sender.send({
      url: subscription.url,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': this.options.userAgent,
        ...webhookHeaders(subscription.secret, { id: delivery.id, timestamp, body }),
      },
    });
  }
}
