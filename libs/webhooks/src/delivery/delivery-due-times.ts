import { Injectable } from '@nestjs/common';
import { GroupCommit } from '../common/group-commit';
import { DeliveryStore } from '../storage/delivery.store';
import type { ResolvedWebhooksOptions } from '../webhooks.options';
import type { QueuedAttempt } from './delivery.queue';

const MAX_BATCH = 500;

interface Lease {
  attempt: QueuedAttempt;
  forMs: number;
}

/**
 * How long an attempt parked in a worker stays its own: two request timeouts, enough for a busy
 * origin to free a slot; short, because a crashed worker's parked attempts wait that long (plus one
 * relay interval) for the relay.
 */
export function parkLeaseMs(options: ResolvedWebhooksOptions): number {
  return 2 * options.requestTimeoutMs;
}

/**
 * How long after its request starts an attempt is recorded, or its sender gone: the request's timeout
 * and time to record it.
 */
export function attemptLifetimeMs(options: ResolvedWebhooksOptions): number {
  return options.requestTimeoutMs + 10_000;
}

/** Moves deliveries' `nextAttemptAt`, which is what the relay goes by. */
@Injectable()
export class DeliveryDueTimes {
  private readonly leases = new GroupCommit<Lease, void>((leases) => this.leaseMany(leases), {
    maxBatch: MAX_BATCH,
    maxConcurrentFlushes: 1,
  });

  constructor(private readonly deliveries: DeliveryStore) {}

  /**
   * Keeps the relay off an attempt for `forMs` from now (the relay offers a delivery one relay
   * interval after it is due).
   */
  lease(attempt: QueuedAttempt, forMs: number): Promise<void> {
    return this.leases.submit({ attempt, forMs });
  }

  /** Sets when attempts are due, for deliveries still waiting for exactly those attempts. */
  setDue(attempts: readonly QueuedAttempt[], at: Date): Promise<void> {
    return this.deliveries.setDue(attempts, at);
  }

  private async leaseMany(leases: Lease[]): Promise<void[]> {
    const now = Date.now();
    const byLength = new Map<number, QueuedAttempt[]>();
    for (const { attempt, forMs } of leases) {
      const attempts = byLength.get(forMs);
      if (attempts) attempts.push(attempt);
      else byLength.set(forMs, [attempt]);
    }
    for (const [forMs, attempts] of byLength) await this.setDue(attempts, new Date(now + forMs));
    return leases.map(() => undefined);
  }
}
