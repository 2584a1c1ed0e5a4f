import { ExpiringMap } from '../common/expiring-map';

/** How long attempts that overflow a troubled origin's parking are kept away from the relay. */
export const TROUBLE_LEASE_MS = 60_000;
/** Troubled origins remembered at most; the oldest is forgotten first. */
const MAX_TROUBLED = 10_000;
/** How long an origin that answered keeps its full share without answering again. */
const ANSWERED_MEMORY_MS = 10 * 60_000;

/**
 * Caps deliveries in flight per receiver origin in this process, so one slow endpoint cannot occupy
 * every worker slot. An origin that timed out or refused connections gets one slot only until it
 * answers again: its single attempt at a time is the probe that tells when it is back, and a
 * timer-based reset would hand a still-hanging origin its full share again.
 *
 * An origin not heard from yet starts with one slot too, and gets its full share with its first
 * answer: an endpoint that hangs from the start (a host that drops packets, say) then holds one
 * slot until its first timeout, not `maxPerOrigin`. Ten of them among a hundred took all fifty
 * slots of the bench's worker for the first timeout.
 */
export class OriginLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly troubled = new Set<string>();
  private readonly answered: ExpiringMap<string, true>;

  constructor(
    private readonly maxPerOrigin: number,
    now: () => number = Date.now,
  ) {
    this.answered = new ExpiringMap(ANSWERED_MEMORY_MS, now);
  }

  /** Whether `tryAcquire` would succeed now. */
  hasRoom(origin: string): boolean {
    return (this.inFlight.get(origin) ?? 0) < this.capacity(origin);
  }

  /** Whether the origin's last attempt timed out or could not connect. */
  isTroubled(origin: string): boolean {
    return this.troubled.has(origin);
  }

  get anyTroubled(): boolean {
    return this.troubled.size > 0;
  }

  tryAcquire(origin: string): boolean {
    const current = this.inFlight.get(origin) ?? 0;
    if (current >= this.capacity(origin)) return false;
    this.inFlight.set(origin, current + 1);
    return true;
  }

  release(origin: string): void {
    const current = this.inFlight.get(origin) ?? 0;
    if (current <= 1) this.inFlight.delete(origin);
    else this.inFlight.set(origin, current - 1);
  }

  reportTrouble(origin: string): void {
    this.troubled.delete(origin);
    this.troubled.add(origin);
    if (this.troubled.size > MAX_TROUBLED) {
      const oldest = this.troubled.values().next().value as string;
      this.troubled.delete(oldest);
    }
  }

  /** The origin answered (whatever the status): it gets its full share. */
  reportHealthy(origin: string): void {
    this.troubled.delete(origin);
    this.answered.set(origin, true);
  }

  private capacity(origin: string): number {
    return this.troubled.has(origin) || !this.answered.has(origin) ? 1 : this.maxPerOrigin;
  }
}
