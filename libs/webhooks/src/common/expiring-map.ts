/**
 * A map that forgets: an entry stays at least `retainMs` after it was last set, and is gone within
 * twice that. Two generations, the older dropped whole once the newer is `retainMs` old: no timer
 * and no per-entry bookkeeping, for per-subscription memos of a worker that may see millions of
 * subscriptions over its life.
 */
export class ExpiringMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private startedAt: number;

  constructor(
    private readonly retainMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  get size(): number {
    this.rotate();
    return this.current.size + this.previous.size;
  }

  get(key: K): V | undefined {
    this.rotate();
    return this.current.has(key) ? this.current.get(key) : this.previous.get(key);
  }

  has(key: K): boolean {
    this.rotate();
    return this.current.has(key) || this.previous.has(key);
  }

  set(key: K, value: V): void {
    this.rotate();
    this.previous.delete(key);
    this.current.set(key, value);
  }

  delete(key: K): void {
    this.rotate();
    this.current.delete(key);
    this.previous.delete(key);
  }

  /**
   * Entries of `current` were set at or after `startedAt`, and before `startedAt + retainMs` (a later
   * call rotates first); so once `2 × retainMs` have passed, both generations are old enough to go.
   */
  private rotate(): void {
    const now = this.now();
    const age = now - this.startedAt;
    if (age < this.retainMs) return;
    this.previous = age < 2 * this.retainMs ? this.current : new Map<K, V>();
    this.current = new Map<K, V>();
    this.startedAt = now;
  }
}
