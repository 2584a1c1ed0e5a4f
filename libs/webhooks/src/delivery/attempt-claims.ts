import { randomUUID } from 'node:crypto';
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
 * Takes the claim (KEYS[1]) for the token ARGV[1], for ARGV[2] ms, unless another token holds it.
 * A claim holding the same token is the caller's own: when a batch's replies are lost (a broken
 * connection), its claims are made again one by one, and those the batch had set must not count as
 * taken by someone else.
 */
const CLAIM_SCRIPT = `
local held = redis.call('GET', KEYS[1])
if not held then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if held == ARGV[1] then return 1 end
return 0`;

interface Claim {
  attempt: QueuedAttempt;
  token: string;
}

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
 * One script call per attempt (a SET NX that knows its own token); those of attempts starting
 * together share one round trip.
 */
@Injectable()
export class AttemptClaims {
  private readonly ttlMs: number;
  private readonly owner = randomUUID();
  private claimsMade = 0;
  private readonly batches = new GroupCommit<Claim, boolean>((claims) => this.claimMany(claims), {
    maxBatch: MAX_BATCH,
    maxConcurrentFlushes: 4,
  });

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue,
  ) {
    this.ttlMs = attemptLifetimeMs(options);
  }

  /** True if this caller is the one to send the attempt. */
  claim(attempt: QueuedAttempt): Promise<boolean> {
    return this.batches.submit({ attempt, token: `${this.owner}:${++this.claimsMade}` });
  }

  private async claimMany(claims: Claim[]): Promise<boolean[]> {
    const replies = await this.queue.client
      .pipeline(
        claims.map(({ attempt: { deliveryId, attempt }, token }) => [
          'eval',
          CLAIM_SCRIPT,
          '1',
          this.queue.toKey(`claim:${deliveryJobId(deliveryId, attempt)}`),
          token,
          String(this.ttlMs),
        ]),
      )
      .exec();
    return claims.map((_, index) => {
      const [error, reply] = replies?.[index] ?? [new Error('Redis returned no reply'), null];
      if (error) throw error;
      return reply === 1;
    });
  }
}
