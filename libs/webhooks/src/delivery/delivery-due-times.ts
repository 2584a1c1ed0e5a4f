import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  entitySql,
  idMembership,
  placeholders,
  type IdMembership,
} from '../storage/sql/entity-sql';
import { GroupCommit } from '../common/group-commit';
import type { ResolvedWebhooksOptions } from '../webhooks.options';
import { WebhookDelivery } from '../storage/entities/delivery.entity';
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

/** Moves deliveries' `nextAttemptAt`, which is what the relay goes by. */
@Injectable()
export class DeliveryDueTimes {
  private readonly leases = new GroupCommit<Lease, void>((leases) => this.leaseMany(leases), {
    maxBatch: MAX_BATCH,
    maxConcurrentFlushes: 1,
  });

  private readonly update: string;
  /** One statement text whatever the count on PostgreSQL (an id array). */
  private readonly ids: IdMembership;
  private readonly persistedAt: (at: Date) => unknown;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    const delivery = entitySql(dataSource, WebhookDelivery);
    const d = delivery.column.bind(delivery);
    const parameter = placeholders(dataSource);
    // Written by hand: leases of parked attempts run in batches of hundreds, and the query builder's
    // `IN (:...ids)` made a new statement text, expanded parameter by parameter, for every batch size.
    this.update = `UPDATE ${delivery.table}
      SET ${d('nextAttemptAt')} = ${parameter(0)}, ${d('updatedAt')} = CURRENT_TIMESTAMP
      WHERE ${d('attempts')} = ${parameter(1)} AND ${d('status')} IN ('pending', 'failed') AND `;
    this.ids = idMembership(dataSource, d('id'), 2);
    this.persistedAt = (at) => delivery.persisted('nextAttemptAt', at);
  }

  /**
   * Keeps the relay off an attempt for `forMs` from now (the relay offers a delivery one relay
   * interval after it is due).
   */
  lease(attempt: QueuedAttempt, forMs: number): Promise<void> {
    return this.leases.submit({ attempt, forMs });
  }

  /** Sets when attempts are due, for deliveries still waiting for exactly those attempts. */
  async setDue(attempts: readonly QueuedAttempt[], at: Date): Promise<void> {
    const idsByAttempt = new Map<number, string[]>();
    for (const { deliveryId, attempt } of attempts) {
      const ids = idsByAttempt.get(attempt);
      if (ids) ids.push(deliveryId);
      else idsByAttempt.set(attempt, [deliveryId]);
    }
    for (const [attempt, allIds] of idsByAttempt) {
      for (let start = 0; start < allIds.length; start += MAX_BATCH) {
        const ids = allIds.slice(start, start + MAX_BATCH);
        await this.dataSource.query(this.update + this.ids.condition(ids.length), [
          this.persistedAt(at),
          attempt - 1,
          ...this.ids.parameters(ids),
        ]);
      }
    }
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
