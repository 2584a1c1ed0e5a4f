/**
 * Polls `check` every `pollMs` until it returns a value other than undefined/false, or fails after
 * `timeoutMs`.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  {
    timeoutMs = 10_000,
    pollMs = 50,
    what = 'condition',
  }: { timeoutMs?: number; pollMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Lets callers wait for a condition and wakes them as soon as something that may change it happens. */
export class Wakeups {
  private waiters: Array<() => void> = [];

  /** Call when the condition may have changed. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Resolves true once `done()` holds (checked on every wake and at least every `pollMs`), false
   * once `timeoutMs` have passed without it.
   */
  async until(done: () => boolean, timeoutMs: number, pollMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, pollMs));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }
}
