import type { AttemptTrigger } from '../storage/entities/attempt.entity';

export interface ParkedAttempt {
  deliveryId: string;
  attempt: number;
  trigger: AttemptTrigger;
  /**
   * Epoch ms after which the relay may offer the attempt again: it is then no longer run from here.
   * Moved later when the attempt's lease is renewed.
   */
  deadline: number;
}

const keyOf = ({ deliveryId, attempt }: Pick<ParkedAttempt, 'deliveryId' | 'attempt'>) =>
  `${deliveryId}#${attempt}`;

/**
 * Attempts waiting in this process for a slot at their receiver's origin, first come, first
 * served per origin. They are kept here rather than bounced through Redis so that a slow origin
 * costs neither Redis round trips nor queue positions in front of healthy deliveries. Bounded per
 * origin and in all; what does not fit is left to the relay (the database keeps it due).
 */
export class ParkedAttempts<T extends ParkedAttempt = ParkedAttempt> {
  private readonly byOrigin = new Map<string, T[]>();
  /** Every attempt here by `deliveryId#attempt`: one offered twice (relay) is kept once. */
  private readonly byKey = new Set<string>();

  constructor(
    private readonly maxPerOrigin: number,
    private readonly maxTotal: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  has(origin: string): boolean {
    return this.byOrigin.has(origin);
  }

  /** False when there is no room: the caller leaves the attempt to the relay. */
  add(origin: string, parked: T): boolean {
    if (this.byKey.has(keyOf(parked))) return true;
    const queue = this.byOrigin.get(origin) ?? [];
    if (queue.length >= this.maxPerOrigin || this.byKey.size >= this.maxTotal) return false;
    queue.push(parked);
    this.byOrigin.set(origin, queue);
    this.byKey.add(keyOf(parked));
    return true;
  }

  /** Puts back at the head an attempt that lost the race for a slot; bounds do not apply. */
  putBack(origin: string, parked: T): void {
    const queue = this.byOrigin.get(origin) ?? [];
    queue.unshift(parked);
    this.byOrigin.set(origin, queue);
    this.byKey.add(keyOf(parked));
  }

  /** The oldest attempt still within its deadline; expired ones are dropped on the way. */
  take(origin: string): T | undefined {
    const queue = this.byOrigin.get(origin);
    if (!queue) return undefined;
    const now = this.now();
    let next: T | undefined;
    while (!next && queue.length > 0) {
      const head = queue.shift() as T;
      this.byKey.delete(keyOf(head));
      if (head.deadline > now) next = head;
    }
    if (queue.length === 0) this.byOrigin.delete(origin);
    return next;
  }

  /** Every attempt here, in no particular order. */
  *values(): IterableIterator<T> {
    for (const queue of this.byOrigin.values()) yield* queue;
  }

  /** Attempts still within their deadline whose deadline comes before `before` (lease renewal). */
  expiringBefore(before: number): T[] {
    const now = this.now();
    const expiring: T[] = [];
    for (const queue of this.byOrigin.values()) {
      for (const parked of queue) {
        if (parked.deadline > now && parked.deadline < before) expiring.push(parked);
      }
    }
    return expiring;
  }

  /** Empties the store (shutdown), expired attempts included. */
  takeAll(): T[] {
    const all = [...this.byOrigin.values()].flat();
    this.byOrigin.clear();
    this.byKey.clear();
    return all;
  }
}
