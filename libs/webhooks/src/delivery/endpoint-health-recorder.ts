import { Inject, Injectable } from '@nestjs/common';
import { ExpiringMap } from '../common/expiring-map';
import { GroupCommit } from '../common/group-commit';
import { SubscriptionStateService } from './subscription-state.service';
import type { AttemptSubscription } from '../storage/delivery.store';
import { EndpointHealthStore } from '../storage/subscription.store';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';

/** A success refreshes `lastSuccessAt` at most this often, to keep the hot path to two writes. */
const SUCCESS_STAMP_INTERVAL_MS = 60_000;
/** Subscriptions whose outcomes one flush writes. */
const MAX_BATCH = 500;

export interface HealthOutcome {
  subscription: AttemptSubscription;
  succeeded: boolean;
  at: Date;
}

/** What a batch of outcomes leaves one subscription with. */
export interface HealthTally {
  subscription: AttemptSubscription;
  /** When its last success in the batch was, if it had one. */
  succeededAt?: Date;
  /** Failures after that success (or in all), and when the first of them was. */
  failures: number;
  failingSince?: Date;
}

/** Outcomes in the order they were recorded, folded per subscription. */
export function tallyOutcomes(outcomes: readonly HealthOutcome[]): HealthTally[] {
  const tallies = new Map<string, HealthTally>();
  for (const { subscription, succeeded, at } of outcomes) {
    const tally = tallies.get(subscription.id) ?? { subscription, failures: 0 };
    if (succeeded) Object.assign(tally, { succeededAt: at, failures: 0, failingSince: undefined });
    else {
      tally.failures++;
      tally.failingSince ??= at;
    }
    tallies.set(subscription.id, tally);
  }
  return [...tallies.values()];
}

/**
 * Keeps subscriptions' health (consecutive failures, failing since, last success) in step with their
 * attempts, and disables those that have failed for too long. Outcomes ending at about the same time
 * are written together, a few statements per batch whatever the number of endpoints: a fan-out to
 * 10,000 new endpoints used to stamp each first success with an UPDATE of its own, and an outage
 * cost two statements per failed attempt.
 */
@Injectable()
export class EndpointHealthRecorder {
  /** When this process last wrote a success for a subscription (epoch ms), within the interval. */
  private readonly successStamps = new ExpiringMap<string, number>(SUCCESS_STAMP_INTERVAL_MS);
  /**
   * Subscriptions with a failure written here since: their next success must reset the counters,
   * whatever the row it was loaded with says. Kept for as long as a row loaded before that failure
   * may still be in use (parked for a second, then a request).
   */
  private readonly failedHere: ExpiringMap<string, true>;
  private readonly batches = new GroupCommit<HealthOutcome, void>(
    (outcomes) => this.write(outcomes),
    {
      maxBatch: MAX_BATCH,
      maxConcurrentFlushes: 1,
    },
  );

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly store: EndpointHealthStore,
    private readonly state: SubscriptionStateService,
  ) {
    this.failedHere = new ExpiringMap(SUCCESS_STAMP_INTERVAL_MS + options.requestTimeoutMs);
  }

  async record(subscription: AttemptSubscription, succeeded: boolean, at: Date): Promise<void> {
    const { id } = subscription;
    if (succeeded && !this.failedHere.has(id)) {
      // Attempts loaded together carry the same old row: the first success to be written speaks
      // for the others in this process.
      const stampedHere = this.successStamps.get(id);
      if (stampedHere !== undefined && at.getTime() - stampedHere <= SUCCESS_STAMP_INTERVAL_MS)
        return;
      const stale =
        !subscription.lastSuccessAt ||
        at.getTime() - subscription.lastSuccessAt.getTime() > SUCCESS_STAMP_INTERVAL_MS;
      if (subscription.consecutiveFailures === 0 && !stale) return;
    }
    if (succeeded) {
      this.failedHere.delete(id);
      this.successStamps.set(id, at.getTime());
    } else {
      this.failedHere.set(id, true);
      this.successStamps.delete(id);
    }
    await this.batches.submit({ subscription, succeeded, at });
  }

  private async write(outcomes: HealthOutcome[]): Promise<void[]> {
    const all = tallyOutcomes(outcomes);
    // Successes first: failures that came after a success in this batch count from zero.
    await this.stampSuccesses(all.filter((tally) => tally.succeededAt));
    const failing = all.filter((tally) => tally.failures > 0);
    await this.countFailures(failing);
    await this.disableSustainedFailures(failing);
    return outcomes.map(() => undefined);
  }

  private async stampSuccesses(tallies: HealthTally[]): Promise<void> {
    if (tallies.length === 0) return;
    const at = new Date(Math.max(...tallies.map((tally) => tally.succeededAt?.getTime() ?? 0)));
    await this.store.recordSuccesses(
      tallies.map((tally) => tally.subscription.id),
      at,
    );
  }

  /** One statement per distinct number of failures (mostly one: a failure each). */
  private async countFailures(tallies: HealthTally[]): Promise<void> {
    const byCount = new Map<number, HealthTally[]>();
    for (const tally of tallies) {
      const group = byCount.get(tally.failures);
      if (group) group.push(tally);
      else byCount.set(tally.failures, [tally]);
    }
    for (const [failures, group] of byCount) {
      const since = new Date(
        Math.min(...group.map((tally) => tally.failingSince?.getTime() ?? Date.now())),
      );
      await this.store.addFailures(
        group.map((tally) => tally.subscription.id),
        failures,
        since,
      );
    }
  }

  private async disableSustainedFailures(tallies: HealthTally[]): Promise<void> {
    if (tallies.length === 0) return;
    const cutoff = new Date(Date.now() - this.options.autoDisableAfterMs);
    const sustained = await this.store.findSustainedFailures(
      tallies.map((tally) => tally.subscription.id),
      this.options.autoDisableMinFailures,
      cutoff,
    );
    const days = (this.options.autoDisableAfterMs / 86_400_000).toFixed(1);
    const reason = `every delivery failed for ${days} days and at least ${this.options.autoDisableMinFailures} attempts`;
    const byId = new Map(tallies.map((tally) => [tally.subscription.id, tally.subscription]));
    for (const id of sustained) {
      const subscription = byId.get(id);
      if (subscription) await this.state.disable(subscription, reason);
    }
  }
}
