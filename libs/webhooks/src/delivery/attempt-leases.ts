import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { attemptLifetimeMs, DeliveryDueTimes } from './delivery-due-times';
import type { QueuedAttempt } from './delivery.queue';

/** How long before the relay's first offer a long request's lease is written, at most. */
const MAX_MARGIN_MS = 2_000;

interface Tracked {
  attempt: QueuedAttempt;
  /** When (epoch ms) the relay may be about to offer the attempt. */
  leaseAt: number;
}

/**
 * Attempts that run outside a job of their own id (`<deliveryId>#<attempt>`, which would keep the
 * relay's offer of the same attempt from running beside them): first attempts run together (a
 * first-attempts job, or the emitting worker's own) and attempts paced by a rate limit (a job named
 * `…:paced`). The relay offers a delivery one relay interval after it is due; so that it never offers
 * one of these while it is under way:
 * - an attempt that starts about that late (its job waited in Redis behind a backlog) goes to a job of
 *   its own instead (`isLate`), which Bull keeps once beside the relay's;
 * - an attempt still under way shortly before then (waiting for a request slot, or a slow receiver)
 *   has its due time moved past its request's timeout (`track`), again each time that comes near, so
 *   the relay leaves it alone until its outcome is recorded.
 */
@Injectable()
export class AttemptLeases implements OnApplicationShutdown {
  private readonly logger = new Logger('WebhooksWorker');
  private readonly relayIntervalMs: number;
  private readonly marginMs: number;
  private readonly leaseMs: number;
  private readonly tracked = new Set<Tracked>();
  private readonly sweeper?: NodeJS.Timeout;
  private closing = false;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions,
    private readonly dueTimes: DeliveryDueTimes,
  ) {
    this.relayIntervalMs = options.relayIntervalMs;
    this.marginMs = Math.min(this.relayIntervalMs / 2, MAX_MARGIN_MS);
    this.leaseMs = attemptLifetimeMs(options);
    // Each sweep comes at most half the margin after an attempt's time, which leaves the other half
    // for its lease to be written before the relay reads.
    if (options.worker && this.relayIntervalMs > 0)
      this.sweeper = setInterval(() => this.sweep(), this.marginMs / 2).unref();
  }

  /** True when the relay may offer an attempt due at `dueAt` about now. */
  isLate(dueAt: Date | null): boolean {
    return this.sweeper !== undefined && dueAt !== null && Date.now() >= this.leaseAt(dueAt);
  }

  /** Watches an attempt under way; call the function returned once it is recorded or handed on. */
  track(attempt: QueuedAttempt, dueAt: Date | null): () => void {
    if (this.sweeper === undefined || dueAt === null) return () => undefined;
    const tracked = { attempt, leaseAt: this.leaseAt(dueAt) };
    this.tracked.add(tracked);
    return () => {
      this.tracked.delete(tracked);
      this.stopWhenIdle();
    };
  }

  /**
   * Not on module destroy: attempts still run then (Bull closes its queue on application shutdown,
   * and `LocalFirstAttempts` waits for its own), and they stay leased until they end.
   */
  onApplicationShutdown(): void {
    this.closing = true;
    this.stopWhenIdle();
  }

  private stopWhenIdle(): void {
    if (this.closing && this.tracked.size === 0) clearInterval(this.sweeper);
  }

  private leaseAt(dueAt: Date): number {
    return dueAt.getTime() + this.relayIntervalMs - this.marginMs;
  }

  private sweep(): void {
    const now = Date.now();
    for (const tracked of this.tracked) {
      if (tracked.leaseAt > now) continue;
      tracked.leaseAt = this.leaseAt(new Date(now + this.leaseMs));
      // The lease only applies while the delivery still waits for this attempt (see `setDue`).
      this.dueTimes
        .lease(tracked.attempt, this.leaseMs)
        .catch((error: unknown) =>
          this.logger.warn(
            `An attempt under way was not leased; the relay may offer it meanwhile: ${String(error)}`,
          ),
        );
    }
  }
}
