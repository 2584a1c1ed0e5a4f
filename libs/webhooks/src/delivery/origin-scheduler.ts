import { Semaphore } from '../common/semaphore';
import type { ResolvedWebhooksOptions } from '../webhooks.options';
import type { AttemptErrorKind, AttemptTrigger } from '../storage/entities/attempt.entity';
import { OriginLimiter, TROUBLE_LEASE_MS } from './origin-limiter';
import { ParkedAttempts } from './parked-attempts';

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
export const LEASE_SWEEP_MS = 1_000;
/** How old a row loaded before parking may be and still be used when the attempt resumes. */
export const FRESH_ROW_MS = 1_000;

/** Requests in flight to troubled origins (see `troubledInFlight`): a fifth of `concurrency`. */
function troubledLaneSize(concurrency: number): number {
  return Math.max(1, Math.ceil(concurrency / 5));
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** An attempt to schedule; `Row` is what was loaded for it, reused when it resumes soon enough. */
export interface ScheduledAttempt<Row> {
  deliveryId: string;
  attempt: number;
  trigger: AttemptTrigger;
  /** It waited for its endpoint's rate limit already (see `EndpointThrottle`): it goes when it can. */
  paced?: boolean;
  /** Set once parked (see `ParkedAttempt`). */
  deadline?: number;
  /** What was loaded before the attempt was parked, and when (epoch ms). */
  loaded?: { row: Row; at: number };
}

type Parked<Row> = ScheduledAttempt<Row> & { deadline: number; origin: string };

export type OriginSchedulerSettings = Pick<
  ResolvedWebhooksOptions,
  'maxInFlightPerOrigin' | 'concurrency' | 'relayIntervalMs' | 'requestTimeoutMs'
> & {
  /** How long a parked attempt is leased for (see `DeliveryDueTimes`). */
  parkLeaseMs: number;
  maxParkedPerOrigin?: number;
  maxParked?: number;
  now?: () => number;
};

/** What the scheduler asks of the rest of the worker. */
export interface OriginSchedulerPorts<Row> {
  /** Runs an attempt whose turn came; it holds a slot of `origin`, which it must release. */
  resume(attempt: ScheduledAttempt<Row>, origin: string): Promise<void>;
  /** Keeps the relay off an attempt for `forMs` from now. */
  lease(attempt: ScheduledAttempt<Row>, forMs: number): Promise<void>;
  /** Makes attempts due at `at`, for the relay to offer them. */
  setDue(attempts: ScheduledAttempt<Row>[], at: Date): Promise<void>;
  /** Hands an attempt to the queue, to run after `delayMs`. */
  enqueue(attempt: ScheduledAttempt<Row>, delayMs: number, origin: string): Promise<void>;
  warn(message: string): void;
}

/**
 * Shares this process's request slots between receiver origins: at most `maxInFlightPerOrigin` per
 * origin (one until it first answers, one while it times out, see `OriginLimiter`), a separate lane
 * for troubled origins, and attempts parked here, first come first served, behind a busy origin
 * instead of bounced through Redis. Parked attempts are leased so that the relay leaves them alone.
 */
export class OriginScheduler<Row> {
  private readonly limiter: OriginLimiter;
  private readonly parked: ParkedAttempts<Parked<Row>>;
  /** HTTP requests in flight in this process, whatever job they belong to (until answered). */
  private readonly inFlight: Semaphore;
  /**
   * Requests to troubled origins have a lane of their own: each may hang for a whole timeout, and
   * taking them from `inFlight` would cut healthy receivers' share by one slot per hanging origin.
   */
  private readonly troubledInFlight: Semaphore;
  /** Parked attempts running outside any Bull job, awaited on shutdown. */
  private readonly resumed = new Set<Promise<void>>();
  private readonly now: () => number;
  private closing = false;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly settings: OriginSchedulerSettings,
    private readonly ports: OriginSchedulerPorts<Row>,
  ) {
    this.now = settings.now ?? Date.now;
    this.limiter = new OriginLimiter(settings.maxInFlightPerOrigin, this.now);
    this.parked = new ParkedAttempts(
      settings.maxParkedPerOrigin ?? MAX_PARKED_PER_ORIGIN,
      settings.maxParked ?? MAX_PARKED,
      this.now,
    );
    this.inFlight = new Semaphore(settings.concurrency);
    this.troubledInFlight = new Semaphore(troubledLaneSize(settings.concurrency));
  }

  /** Attempts parked for an origin go first; then whoever finds a free slot. */
  mustWait(origin: string): boolean {
    return this.parked.has(origin) || !this.limiter.hasRoom(origin);
  }

  /** Whether the origin's last attempt timed out or could not connect (see `OriginLimiter`). */
  isTroubled(origin: string): boolean {
    return this.limiter.isTroubled(origin);
  }

  /** Whether any origin is troubled: until one is, nothing needs looking up before a load. */
  get anyTroubled(): boolean {
    return this.limiter.anyTroubled;
  }

  /** Takes a slot of the origin unless it must wait; the caller then releases it. */
  tryClaim(origin: string): boolean {
    return !this.mustWait(origin) && this.limiter.tryAcquire(origin);
  }

  /** Frees a slot of the origin; a parked attempt may take it at once. */
  release(origin: string): void {
    this.limiter.release(origin);
    this.resume(origin);
  }

  /**
   * Waits for a request slot in the origin's lane; the function returned frees it, once. Not an async
   * function: it runs for every attempt, and one more async frame cost each a promise and a turn of
   * the microtask queue (bench S9).
   */
  enterLane(origin: string): Promise<() => void> {
    const lane = this.limiter.isTroubled(origin) ? this.troubledInFlight : this.inFlight;
    return lane.acquire().then(() => {
      let left = false;
      return () => {
        if (left) return;
        left = true;
        lane.release();
      };
    });
  }

  /**
   * The request to the origin ended: its slot is free for the next attempt now, not once this one is
   * recorded. Trouble is reported first, so a troubled origin resumes one parked attempt only.
   */
  requestEnded(origin: string, errorKind: AttemptErrorKind | null): void {
    if (errorKind === 'timeout' || errorKind === 'connection') this.limiter.reportTrouble(origin);
    else this.limiter.reportHealthy(origin);
    this.release(origin);
  }

  /** The row loaded before parking, while it is fresh enough to be used instead of a reload. */
  freshRow(attempt: ScheduledAttempt<Row>): { row: Row; at: number } | undefined {
    const { loaded } = attempt;
    return loaded && this.now() - loaded.at <= FRESH_ROW_MS ? loaded : undefined;
  }

  /**
   * Keeps the attempt here until its origin has a free slot. The relay leaves a delivery alone for one
   * relay interval after it is due (`dueAt`); an attempt parked for longer gets a lease (its due time
   * moved ahead, see `renewLeases`), so that the relay does not offer it to another worker meanwhile.
   * A short wait thus costs no database write.
   */
  async park(attempt: ScheduledAttempt<Row>, origin: string, dueAt?: Date | null): Promise<void> {
    if (this.closing) {
      // Left due for the relay, which offers it to a worker that is not shutting down.
      if (attempt.deadline !== undefined) await this.ports.setDue([attempt], new Date(this.now()));
      return;
    }
    if (attempt.deadline !== undefined) {
      this.parked.putBack(origin, { ...attempt, deadline: attempt.deadline, origin });
      this.resume(origin);
      return;
    }
    const now = this.now();
    // Unknown due time (not loaded yet): it may be overdue already, so it is leased at once.
    let deadline = dueAt ? now + this.safeUntil(dueAt.getTime() - now) : now;
    const needsLease = deadline < now + 2 * LEASE_SWEEP_MS;
    const leaseMs = this.leaseMsFor(origin);
    if (needsLease) deadline = now + this.safeUntil(leaseMs);
    if (this.parked.add(origin, { ...attempt, deadline, origin })) {
      if (needsLease) await this.ports.lease(attempt, leaseMs);
      this.sweepLeases();
    } else {
      await this.leaveForLater(attempt, origin);
    }
    this.resume(origin);
  }

  /** Parked attempts go back to the relay: their deliveries are due again at once. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await this.sweeping;
    const parked = this.parked.takeAll();
    await Promise.allSettled([...this.resumed]);
    if (parked.length === 0) return;
    await this.ports
      .setDue(parked, new Date(this.now()))
      .catch((error: unknown) =>
        this.ports.warn(
          `${parked.length} parked attempts keep their lease (the relay offers them once it ends): ${String(error)}`,
        ),
      );
  }

  /**
   * How long after a delivery becomes due (now + `dueInMs`) an attempt may still start here: the relay
   * offers it one relay interval after it is due, by when the attempt must be recorded. Without a
   * relay nobody else would pick a parked attempt up: it never expires.
   */
  private safeUntil(dueInMs: number): number {
    const { relayIntervalMs, requestTimeoutMs } = this.settings;
    if (relayIntervalMs === 0) return Number.POSITIVE_INFINITY;
    return dueInMs + relayIntervalMs - requestTimeoutMs - RECORD_MARGIN_MS;
  }

  /**
   * A troubled origin serves one attempt per timeout, so its parked attempts wait long: they are
   * leased for a minute at a time, not renewed every few seconds (one write per attempt each time).
   */
  private leaseMsFor(origin: string): number {
    return this.limiter.isTroubled(origin) ? TROUBLE_LEASE_MS : this.settings.parkLeaseMs;
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
    const startedAt = this.now();
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
      await Promise.all(leases.map(({ parked, leaseMs }) => this.ports.lease(parked, leaseMs)));
      for (const { parked, leaseMs } of leases)
        parked.deadline = startedAt + this.safeUntil(leaseMs);
    } catch (error) {
      // They expire here and the relay offers them again.
      this.ports.warn(`Could not renew leases of parked attempts: ${String(error)}`);
    }
  }

  /**
   * No room to park: the delivery stays in the database. A troubled origin will not have room for a
   * while, so it is leased for a minute; otherwise the relay offers it again at its next run.
   */
  private async leaveForLater(attempt: ScheduledAttempt<Row>, origin: string): Promise<void> {
    if (this.settings.relayIntervalMs === 0) {
      // No relay to bring it back: Bull does, once a request to this origin has had time to end.
      await this.ports.enqueue(attempt, this.settings.requestTimeoutMs, origin);
    } else if (this.limiter.isTroubled(origin)) {
      await this.ports.lease(attempt, TROUBLE_LEASE_MS);
    }
  }

  /** Starts parked attempts of the origin while it has free slots, each holding its slot. */
  private resume(origin: string): void {
    while (!this.closing && this.limiter.hasRoom(origin)) {
      const next = this.parked.take(origin);
      if (!next) return;
      this.limiter.tryAcquire(origin);
      const running: Promise<void> = this.ports
        .resume(next, origin)
        .catch((error: unknown) => this.retryThroughQueue(next, origin, error))
        .finally(() => this.resumed.delete(running));
      this.resumed.add(running);
    }
  }

  /**
   * A resumed attempt that met an infrastructure error (database down) becomes a Bull job, which
   * backs off like any other; a lease would otherwise keep it from the relay until it ends.
   */
  private async retryThroughQueue(
    attempt: ScheduledAttempt<Row>,
    origin: string,
    error: unknown,
  ): Promise<void> {
    this.ports.warn(`Parked attempt of delivery ${attempt.deliveryId} failed: ${String(error)}`);
    await this.ports
      .enqueue(attempt, RESUME_RETRY_DELAY_MS, origin)
      .catch((queueError: unknown) =>
        this.ports.warn(`…and could not be queued again: ${String(queueError)}`),
      );
  }
}
