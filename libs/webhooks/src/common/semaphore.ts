/** What `acquire` returns while a slot is free: no promise of its own per call. */
const ACQUIRED: Promise<void> = Promise.resolve();

/** Counts slots; waiters are served first come, first served. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(slots: number) {
    this.available = slots;
  }

  /** Resolves once the caller holds a slot (on the next microtask when one is free). */
  acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return ACQUIRED;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
  }
}
