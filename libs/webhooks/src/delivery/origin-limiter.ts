/** How long an origin that timed out or refused connections is held to one delivery at a time. */
const TROUBLE_PENALTY_MS = 60_000;

/**
 * Caps deliveries in flight per receiver origin in this process, so one slow endpoint cannot occupy
 * every worker slot. An origin that recently timed out or refused connections gets one slot only.
 */
export class OriginLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly troubledUntil = new Map<string, number>();

  constructor(
    private readonly maxPerOrigin: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `tryAcquire` would succeed now. */
  hasRoom(origin: string): boolean {
    return (this.inFlight.get(origin) ?? 0) < this.capacity(origin);
  }

  /** Whether the origin recently timed out or refused connections. */
  isTroubled(origin: string): boolean {
    return (this.troubledUntil.get(origin) ?? 0) > this.now();
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
    this.troubledUntil.set(origin, this.now() + TROUBLE_PENALTY_MS);
  }

  reportHealthy(origin: string): void {
    this.troubledUntil.delete(origin);
  }

  private capacity(origin: string): number {
    const until = this.troubledUntil.get(origin);
    if (until === undefined) return this.maxPerOrigin;
    if (until > this.now()) return 1;
    this.troubledUntil.delete(origin);
    return this.maxPerOrigin;
  }
}
