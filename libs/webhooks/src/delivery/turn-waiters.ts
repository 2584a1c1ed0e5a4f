import { InjectQueue } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { GroupCommit } from '../common/group-commit';
import type { OrderingKeyRef } from '../storage/delivery.store';
import { WEBHOOKS_QUEUE } from '../webhooks.constants';

const MAX_BATCH = 200;

/** Makes KEYS[1] live ARGV[1] ms from now, unless it already lives longer (another waiter's mark). */
const MARK_SCRIPT = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1`;

/**
 * Which ordering keys have a delivery waiting for its turn, in Redis (so across worker processes): a
 * keyed delivery that becomes final asks the database for the next one of its key only when one may
 * be waiting. Most never have one (a contact's events rarely overlap); leaving the question out
 * entirely (a measurement) closed about half of bench S1-ordered's gap to S1.
 *
 * No wake-up is lost by it: a waiter marks its key before it checks its turn a last time, and a
 * finished delivery looks for a mark only after its outcome is committed. So either the mark is seen,
 * or the waiter's last check came after that commit and found its turn free. A mark lives until the
 * relay would offer the waiter again; one lost anyway (Redis flushed) costs what a lost wake-up always
 * cost: the waiter goes when the relay offers it.
 */
@Injectable()
export class TurnWaiters {
  private readonly checks = new GroupCommit<OrderingKeyRef, boolean>(
    (refs) => this.markedAmong(refs),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 4 },
  );

  constructor(@InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue) {}

  /** Marks the key as waited on until `until` (epoch ms); resolves once Redis has the mark. */
  async mark(ref: OrderingKeyRef, until: number): Promise<void> {
    const forMs = Math.max(1, Math.ceil(until - Date.now()));
    await this.queue.client.eval(MARK_SCRIPT, 1, this.keyOf(ref), String(forMs));
  }

  /** False only when Redis says no delivery of the key waits; an error counts as one waiting. */
  async mayBeWaiting(ref: OrderingKeyRef): Promise<boolean> {
    return this.checks.submit(ref).catch(() => true);
  }

  private async markedAmong(refs: OrderingKeyRef[]): Promise<boolean[]> {
    const values = await this.queue.client.mget(...refs.map((ref) => this.keyOf(ref)));
    return values.map((value) => value !== null);
  }

  private keyOf({ subscriptionId, orderingKey }: OrderingKeyRef): string {
    return this.queue.toKey(`turn-waiters:${subscriptionId}:${orderingKey}`);
  }
}
