import { Injectable } from '@nestjs/common';
import { ExpiringMap } from '../common/expiring-map';
import { GroupCommit } from '../common/group-commit';
import type { AttemptSubscription } from '../storage/delivery.store';
import { SubscriptionChanges } from '../storage/subscription-changes';
import { SubscriptionStore } from '../storage/subscription.store';

/** A snapshot is reused for at least this long, and at most twice it (see `ExpiringMap`). */
const SNAPSHOT_MS = 500;
const MAX_BATCH = 200;

/**
 * Subscriptions as first attempts read them, kept for up to a second so that deliveries sent from
 * what their emit carried need no load (see `DeliveryProcessor.processFirstAttempts`). Any change to
 * a subscription made by this process drops them all at once; one made by another process reaches
 * the snapshots within a second, as it reaches an attempt parked with its row today.
 */
@Injectable()
export class SubscriptionSnapshots {
  private snapshots = new ExpiringMap<string, AttemptSubscription>(SNAPSHOT_MS);
  /** `SubscriptionChanges.count` when the snapshots were last dropped. */
  private seenChanges: number;
  /** Subscriptions missing from the snapshots, read together when asked for at about the same time. */
  private readonly reads = new GroupCommit<string, AttemptSubscription | null>(
    (ids) => this.read(ids),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 1 },
  );

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly changes: SubscriptionChanges,
  ) {
    this.seenChanges = changes.count;
  }

  /** Those of `ids` that exist, by id. */
  async of(ids: Iterable<string>): Promise<Map<string, AttemptSubscription>> {
    this.dropIfChanged();
    const found = new Map<string, AttemptSubscription>();
    const missing = new Set<string>();
    for (const id of ids) {
      const snapshot = this.snapshots.get(id);
      if (snapshot) found.set(id, snapshot);
      else missing.add(id);
    }
    const read = await Promise.all([...missing].map((id) => this.reads.submit(id)));
    for (const subscription of read) if (subscription) found.set(subscription.id, subscription);
    return found;
  }

  private async read(ids: string[]): Promise<Array<AttemptSubscription | null>> {
    const changesBefore = this.changes.count;
    const byId = new Map(
      (await this.subscriptions.findForAttempts(ids)).map((subscription) => [
        subscription.id,
        subscription,
      ]),
    );
    // A change written while the statement ran may or may not show in its rows: they serve the
    // attempts that asked, and are not kept.
    this.dropIfChanged();
    if (this.changes.count === changesBefore)
      for (const subscription of byId.values()) this.snapshots.set(subscription.id, subscription);
    return ids.map((id) => byId.get(id) ?? null);
  }

  private dropIfChanged(): void {
    if (this.changes.count === this.seenChanges) return;
    this.seenChanges = this.changes.count;
    this.snapshots = new ExpiringMap(SNAPSHOT_MS);
  }
}
