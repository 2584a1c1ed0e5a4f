import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { withTimeout } from '../common/with-timeout';
import { DeliveryQueue, type FreshDelivery } from '../delivery/delivery.queue';
import { LocalFirstAttempts } from '../delivery/local-first-attempts';
import { WebhooksTracer } from '../tracing/webhooks-tracer';

/** Batches of deliveries that may wait for Redis at once before emits wait with them. */
const MAX_PENDING = 16;
/** How long shutdown waits for Redis to take the pending batches (the relay has them after that). */
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Hands stored deliveries to this process's worker (as many first attempts as it has room for, see
 * `LocalFirstAttempts`) and the rest to Redis, without making the emit wait for Redis. An event is safe once it is
 * stored: a delivery Redis never hears of is enqueued by the relay when it falls due. Waiting for
 * Redis as well made each emit pay two round trips in a row (bench S1: 6.5 ms for the write, then
 * 4 ms for the enqueue).
 *
 * A slow or unreachable Redis still slows emits down rather than filling memory: past MAX_PENDING
 * batches, `handOff` waits until one of them is done. On shutdown, pending batches get a few
 * seconds to reach Redis before the queue closes.
 */
@Injectable()
export class OutboxHandOff implements OnModuleDestroy {
  private readonly logger = new Logger('WebhooksOutbox');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deliveryQueue: DeliveryQueue,
    private readonly local: LocalFirstAttempts,
    private readonly tracer: WebhooksTracer,
  ) {}

  /**
   * Resolves when there is room for more, not when these reach Redis. Never rejects.
   * @param what whose deliveries these are, for the log ("3 event(s)").
   * @param traceParents those of the events' emit spans, which the hand-off's span follows.
   */
  async handOff(
    deliveries: readonly FreshDelivery[],
    what: string,
    traceParents: readonly (string | null)[],
  ): Promise<void> {
    const count = deliveries.length;
    if (count === 0) return;
    const queued = this.local.take(deliveries);
    const local = count - queued.length;
    const span = this.tracer.startHandOff(count, local, traceParents);
    if (local === count) return span.end();
    const enqueued: Promise<void> = this.deliveryQueue
      .enqueueFirstAttempts(queued)
      .then(
        () => span.end(),
        (error: unknown) => {
          this.tracer.endWithError(span, error);
          this.logger.warn(
            `Enqueueing the deliveries of ${what} failed; they are stored, and the relay enqueues them when due: ${String(error)}`,
          );
        },
      )
      .finally(() => this.pending.delete(enqueued));
    this.pending.add(enqueued);
    while (this.pending.size >= MAX_PENDING) await Promise.race(this.pending);
  }

  /** Runs before the queue closes (Bull closes it on application shutdown). */
  async onModuleDestroy(): Promise<void> {
    if (this.pending.size === 0) return;
    await withTimeout(Promise.all([...this.pending]), SHUTDOWN_WAIT_MS).catch(() =>
      this.logger.warn(
        `${this.pending.size} batches of deliveries did not reach Redis before shutdown; the relay enqueues them when they fall due`,
      ),
    );
  }
}
