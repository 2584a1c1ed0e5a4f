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
 * Takes each claim (KEYS[i]) for its token (ARGV[i + 1]), for ARGV[1] ms, unless another token holds
 * it; returns 1 or 0 per claim. A claim holding the same token is the caller's own: when a batch's
 * reply is lost (a broken connection), its claims are made again one by one, and those the batch had
 * set must not count as taken by someone else.
 */
const CLAIM_SCRIPT = `
local taken = {}
for i, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if not held then
    redis.call('SET', key, ARGV[i + 1], 'PX', ARGV[1])
    taken[i] = 1
  elseif held == ARGV[i + 1] then
    taken[i] = 1
  else
    taken[i] = 0
  end
end
return taken`;

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
 * Attempts starting together are claimed by one script call (a SET NX per attempt that knows its
 * own token): one command per batch, not per attempt, which cost the ordered bench (S1-ordered) a
 * Redis command's encoding and parsing per delivery.
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
    const keys = claims.map(({ attempt: { deliveryId, attempt } }) =>
      this.queue.toKey(`claim:${deliveryJobId(deliveryId, attempt)}`),
    );
    const tokens = claims.map((claim) => claim.token);
    const taken: unknown = await this.queue.client.eval(
      CLAIM_SCRIPT,
      keys.length,
      ...keys,
      String(this.ttlMs),
      ...tokens,
    );
    if (!Array.isArray(taken) || taken.length !== claims.length)
      throw new Error(`Redis answered the claims with ${JSON.stringify(taken)}`);
    return taken.map((reply) => reply === 1);
  }
}
