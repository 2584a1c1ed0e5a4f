import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { GroupCommit } from '../common/group-commit';
import { WEBHOOKS_QUEUE } from '../webhooks.constants';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { attemptLifetimeMs } from './delivery-due-times';
import { deliveryJobId, type QueuedAttempt } from './delivery.queue';

const MAX_BATCH = 200;

/**
 * Who sends an attempt of a keyed delivery (an `orderingKey`): the first to claim it in Redis, right
 * before the request. A keyed delivery must never be in flight twice at once, and more than one path
 * can reach the same attempt at the same moment: the first-attempts job or the emitting worker that
 * took it, its predecessor's wake-up, the relay, a paced job. Each of those loads the delivery first and
 * drops an attempt already recorded, so only overlapping sends need keeping apart, and a claim only has
 * to outlast one request and its record. It is never released: a later path that read the delivery
 * before the attempt was recorded must still find it taken. It expires, so an attempt whose sender died
 * is sent again once the relay offers it after that.
 *
 * One SET NX per attempt; those of attempts starting together share one round trip.
 */
@Injectable()
export class AttemptClaims {
  private readonly ttlMs: number;
  private readonly batches = new GroupCommit<QueuedAttempt, boolean>(
    (attempts) => this.claimMany(attempts),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 4 },
  );

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
  ) {
    this.ttlMs = attemptLifetimeMs(options);
  }

  /** True if this caller is the one to send the attempt. */
  claim(attempt: QueuedAttempt): Promise<boolean> {
    return this.batches.submit(attempt);
  }

  private async claimMany(attempts: QueuedAttempt[]): Promise<boolean[]> {
    const replies = await this.queue.client
      .pipeline(
        attempts.map(({ deliveryId, attempt }) => [
          'set',
          this.queue.toKey(`claim:${deliveryJobId(deliveryId, attempt)}`),
          '1',
          'PX',
          String(this.ttlMs),
          'NX',
        ]),
      )
      .exec();
    return attempts.map((_, index) => {
      const [error, reply] = replies?.[index] ?? [new Error('Redis returned no reply'), null];
      if (error) throw error;
      return reply === 'OK';
    });
  }
}
