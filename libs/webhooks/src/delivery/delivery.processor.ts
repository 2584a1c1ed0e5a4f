import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SubscriptionStateService } from '../subscriptions/subscription-state.service';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import { RetrySoonError } from '../webhooks.queue';
import { DeliveryAttempter, QueuedAttemptRequest } from './delivery-attempter';
import { DeliveryLoader, type LoadedDelivery } from './delivery-loader';
import { Semaphore } from '../common/semaphore';
import type { AttemptTrigger } from './attempt.entity';
import { DeliveryDueTimes, parkLeaseMs } from './delivery-due-times';
import { DeliveryQueue, isDeliveryJobData, isFirstAttemptsJobData } from './delivery.queue';
import { OriginLimiter, TROUBLE_LEASE_MS } from './origin-limiter';
import { ParkedAttempts } from './parked-attempts';

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Attempts parked per origin and in all, in one process: a few hundred bytes each, plus, for a
 * second after parking, the row it was loaded with (see FRESH_ROW_MS).
 */
const MAX_PARKED_PER_ORIGIN = 1_000;
const MAX_PARKED = 50_000;
/** Before a resumed attempt that failed on the database is tried again. */
const RESUME_RETRY_DELAY_MS = 1_000;
/** Time allowed for recording an attempt once its request ended. */
const RECORD_MARGIN_MS = 1_000;
/** How often parked attempts close to their deadline get their lease renewed. */
const LEASE_SWEEP_MS = 1_000;

/** Requests in flight to troubled origins (see `troubledInFlight`): a fifth of `concurrency`. */
function troubledLaneSize(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 5));
}

/** How old a row loaded before parking may be and still be used when the attempt resumes. */
const FRESH_ROW_MS = 1_000;

interface AttemptJob {
  deliveryId: string;
  attempt: number;
  trigger: AttemptTrigger;
  /** Set once parked (see `ParkedAttempt`). */
  deadline?: number;
  /** What was loaded before the attempt was parked, and when (epoch ms). */
  loaded?: { row: LoadedDelivery; at: number };
}

type ParkedJob = AttemptJob & { deadline: number; origin: string };

/**
 * Runs queued attempts of deliveries; schedules the next attempt when one is due. An attempt whose
 * origin has no free slot is parked in this process (see `ParkedAttempts`) and runs when a slot
 * frees up, so the job that carried it finishes at once.
 */
@Injectable()
export class DeliveryProcessor implements OnModuleDestroy {
  private readonly logger = new Logger('WebhooksWorker');
  private readonly limiter: OriginLimiter;
  private readonly parked = new ParkedAttempts<ParkedJob>(MAX_PARKED_PER_ORIGIN, MAX_PARKED);
  /** HTTP requests in flight in this process, whatever job they belong to (until answered). */
  private readonly inFlight: Semaphore;
  /**
   * Requests to troubled origins have a lane of their own: each may hang for a whole timeout, and
   * taking them from `inFlight` would cut healthy receivers' share by one slot per hanging origin.
   */
  private readonly troubledInFlight: Semaphore;
  /** Parked attempts running outside any Bull job, awaited on shutdown. */
  private readonly resumed = new Set<Promise<void>>();
  private readonly parkLeaseMs: number;
  private closing = false;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    private readonly loader: DeliveryLoader,
    private readonly attempter: DeliveryAttempter,
    private readonly state: SubscriptionStateService,
    private readonly deliveryQueue: DeliveryQueue,
    private readonly dueTimes: DeliveryDueTimes,
  ) {
    this.limiter = new OriginLimiter(options.maxInFlightPerOrigin);
    this.inFlight = new Semaphore(options.concurrency);
    this.troubledInFlight = new Semaphore(troubledLaneSize(options.concurrency));
    this.parkLeaseMs = parkLeaseMs(options);
  }

  /**
   * How long after a delivery becomes due (now + `dueInMs`) an attempt may still start here: the relay
   * offers it one relay interval after it is due, by when the attempt must be recorded. Without a
   * relay nobody else would pick a parked attempt up: it never expires.
   */
  private safeUntil(dueInMs: number): number {
    if (this.options.relayIntervalMs === 0) return Number.POSITIVE_INFINITY;
    return (
      dueInMs + this.options.relayIntervalMs - this.options.requestTimeoutMs - RECORD_MARGIN_MS
    );
  }

  async process(data: unknown): Promise<void> {
    if (isFirstAttemptsJobData(data)) return this.processFirstAttempts(data.deliveryIds);
    // A job whose Redis hash lost its data (Redis flushed while it was in flight, then Bull's failure
    // bookkeeping re-created the hash) must finish as a no-op: that frees its id for the relay, and a
    // lookup by an undefined id must never run.
    if (!isDeliveryJobData(data)) return;
    const { deliveryId, attempt, trigger = 'scheduled', origin } = data;
    // This early check spares a database read when the origin is known to be busy.
    if (origin && this.mustWait(origin)) return this.park({ deliveryId, attempt, trigger }, origin);
    await this.deliver({ deliveryId, attempt, trigger });
  }

  /** Parked attempts go back to the relay: their deliveries are due again at once. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await this.sweeping;
    const parked = this.parked.takeAll();
    await Promise.allSettled([...this.resumed]);
    if (parked.length === 0) return;
    await this.dueTimes
      .setDue(parked, new Date())
      .catch((error: unknown) =>
        this.logger.warn(
          `${parked.length} parked attempts keep their lease (the relay offers them once it ends): ${String(error)}`,
        ),
      );
  }

  /**
   * First attempts of freshly emitted deliveries travel together: one job, one load, one record
   * batch. An infrastructure error fails the job after the others are done; Bull runs it again and
   * the attempts already recorded are skipped as stale.
   */
  private async processFirstAttempts(deliveryIds: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(
      deliveryIds.map((deliveryId) =>
        this.deliver({ deliveryId, attempt: 1, trigger: 'scheduled' }),
      ),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** Attempts parked for an origin go first; then whoever finds a free slot. */
  private mustWait(origin: string): boolean {
    return this.parked.has(origin) || !this.limiter.hasRoom(origin);
  }

  /**
   * @param heldSlot the origin whose slot the caller already took for this attempt (a resumed one).
   */
  private async deliver(job: AttemptJob, heldSlot?: string): Promise<void> {
    const { deliveryId, attempt, trigger } = job;
    let slot = heldSlot;
    try {
      // A parked attempt resuming within a second reuses its row: a fan-out parks thousands at once,
      // and loading each a second time made the bench's 10,000-delivery fan-out a fifth slower.
      const reused =
        job.loaded && Date.now() - job.loaded.at <= FRESH_ROW_MS ? job.loaded : undefined;
      const loaded = reused?.row ?? (await this.loader.load(deliveryId));
      if (!loaded) return;
      const { delivery, subscription } = loaded;
      // A job for a finished or held delivery, or for an attempt already made, is stale.
      if (delivery.attempts !== attempt - 1) return;
      if (
        delivery.status === 'succeeded' ||
        delivery.status === 'exhausted' ||
        delivery.status === 'held'
      )
        return;
      if (subscription.status !== 'active') {
        if (await this.state.hold(delivery)) return;
        throw new RetrySoonError('its subscription became active while it was being held');
      }

      const origin = originOf(subscription.url);
      if (slot !== origin) {
        // The URL changed while the attempt was parked: it queues for its new origin.
        if (slot) this.releaseSlot(slot);
        slot = undefined;
        if (this.mustWait(origin) || !this.limiter.tryAcquire(origin)) {
          const parked = { ...job, loaded: reused ?? { row: loaded, at: Date.now() } };
          return await this.park(parked, origin, delivery.nextAttemptAt);
        }
        slot = origin;
      }
      const lane = this.limiter.isTroubled(origin) ? this.troubledInFlight : this.inFlight;
      await lane.acquire();
      let requestEnded = false;
      let report;
      try {
        report = await this.attempter.attempt(
          // The origin is free for the next attempt as soon as it answered, not once this one is
          // recorded. Trouble is reported first: a troubled origin resumes one parked attempt.
          new QueuedAttemptRequest(loaded, attempt, trigger, ({ errorKind }) => {
            if (errorKind === 'timeout' || errorKind === 'connection')
              this.limiter.reportTrouble(origin);
            else this.limiter.reportHealthy(origin);
            this.releaseSlot(origin);
            slot = undefined;
            requestEnded = true;
            lane.release();
          }),
        );
      } finally {
        if (!requestEnded) lane.release();
      }

      if (report.recorded && report.decision.retryDelayMs !== null) {
        await this.deliveryQueue.enqueueAttempt(
          deliveryId,
          attempt + 1,
          report.decision.retryDelayMs,
          origin,
        );
      }
    } finally {
      if (slot) this.releaseSlot(slot);
    }
  }

  /**
   * Keeps the attempt here until its origin has a free slot. The relay leaves a delivery alone for one
   * relay interval after it is due (`dueAt`); an attempt parked for longer gets a lease (its due time
   * moved ahead, see `renewLeases`), so that the relay does not offer it to another worker meanwhile.
   * A short wait thus costs no database write.
   */
  private async park(job: AttemptJob, origin: string, dueAt?: Date | null): Promise<void> {
    if (this.closing) {
      // Left due for the relay, which offers it to a worker that is not shutting down.
      if (job.deadline !== undefined) await this.dueTimes.setDue([job], new Date());
      return;
    }
    if (job.deadline !== undefined) {
      this.parked.putBack(origin, { ...job, deadline: job.deadline, origin });
      this.resume(origin);
      return;
    }
    const now = Date.now();
    // Unknown due time (not loaded yet): it may be overdue already, so it is leased at once.
    let deadline = dueAt ? now + this.safeUntil(dueAt.getTime() - now) : now;
    const needsLease = deadline < now + 2 * LEASE_SWEEP_MS;
    const leaseMs = this.leaseMsFor(origin);
    if (needsLease) deadline = now + this.safeUntil(leaseMs);
    if (this.parked.add(origin, { ...job, deadline, origin })) {
      if (needsLease) await this.dueTimes.lease(job, leaseMs);
      this.sweepLeases();
    } else {
      await this.leaveForLater(job, origin);
    }
    this.resume(origin);
  }

  /**
   * A troubled origin serves one attempt per timeout, so its parked attempts wait long: they are
   * leased for a minute at a time, not renewed every few seconds (one write per attempt each time).
   */
  private leaseMsFor(origin: string): number {
    return this.limiter.isTroubled(origin) ? TROUBLE_LEASE_MS : this.parkLeaseMs;
  }

  /** Renews, every LEASE_SWEEP_MS while any are parked, the leases of attempts close to their deadline. */
  private sweepLeases(): void {
    if (this.sweeper || this.closing) return;
    this.sweeper = setInterval(() => {
      if (this.parked.size === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
        return;
      }
      this.sweeping ??= this.renewLeases().finally(() => (this.sweeping = undefined));
    }, LEASE_SWEEP_MS);
    this.sweeper.unref();
  }

  private async renewLeases(): Promise<void> {
    const startedAt = Date.now();
    // Rows too old to be reused are let go: a long wait reloads them anyway.
    for (const parked of this.parked.values()) {
      if (parked.loaded && startedAt - parked.loaded.at > FRESH_ROW_MS) parked.loaded = undefined;
    }
    const expiring = this.parked.expiringBefore(startedAt + 2 * LEASE_SWEEP_MS);
    if (expiring.length === 0) return;
    try {
      const leases = expiring.map((parked) => ({
        parked,
        leaseMs: this.leaseMsFor(parked.origin),
      }));
      await Promise.all(leases.map(({ parked, leaseMs }) => this.dueTimes.lease(parked, leaseMs)));
      for (const { parked, leaseMs } of leases)
        parked.deadline = startedAt + this.safeUntil(leaseMs);
    } catch (error) {
      // They expire here and the relay offers them again.
      this.logger.warn(`Could not renew leases of parked attempts: ${String(error)}`);
    }
  }

  /**
   * No room to park: the delivery stays in the database. A troubled origin will not have room for a
   * while, so it is leased for a minute; otherwise the relay offers it again at its next run.
   */
  private async leaveForLater(job: AttemptJob, origin: string): Promise<void> {
    if (this.options.relayIntervalMs === 0) {
      // No relay to bring it back: Bull does, once a request to this origin has had time to end.
      await this.deliveryQueue.enqueueAttempt(
        job.deliveryId,
        job.attempt,
        this.options.requestTimeoutMs,
        origin,
      );
    } else if (this.limiter.isTroubled(origin)) {
      await this.dueTimes.lease(job, TROUBLE_LEASE_MS);
    }
  }

  private releaseSlot(origin: string): void {
    this.limiter.release(origin);
    this.resume(origin);
  }

  /** Starts parked attempts of the origin while it has free slots, each holding its slot. */
  private resume(origin: string): void {
    while (!this.closing && this.limiter.hasRoom(origin)) {
      const next = this.parked.take(origin);
      if (!next) return;
      this.limiter.tryAcquire(origin);
      const running: Promise<void> = this.deliver(next, origin)
        .catch((error: unknown) => this.retryThroughQueue(next, origin, error))
        .finally(() => this.resumed.delete(running));
      this.resumed.add(running);
    }
  }

  /**
   * A resumed attempt that met an infrastructure error (database down) becomes a Bull job, which
   * backs off like any other; a lease would otherwise keep it from the relay until it ends.
   */
  private async retryThroughQueue(job: AttemptJob, origin: string, error: unknown): Promise<void> {
    this.logger.warn(`Parked attempt of delivery ${job.deliveryId} failed: ${String(error)}`);
    await this.deliveryQueue
      .enqueueAttempt(job.deliveryId, job.attempt, RESUME_RETRY_DELAY_MS, origin)
      .catch((queueError: unknown) =>
        this.logger.warn(`…and could not be queued again: ${String(queueError)}`),
      );
  }
}
