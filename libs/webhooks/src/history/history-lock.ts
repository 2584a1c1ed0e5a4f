import { randomUUID } from 'node:crypto';
import type { Queue } from 'bull';

type RedisClient = Queue['client'];

/** Deletes or extends the key only while it still holds this holder's token. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/**
 * A Redis lock held by one process at a time, expiring on its own if the holder dies. Bull runs each
 * occurrence of a repeatable job once, but adds the next one when a run starts: a run longer than
 * the interval would otherwise overlap the next one on another worker.
 */
export class HistoryLock {
  private constructor(
    private readonly client: RedisClient,
    private readonly key: string,
    private readonly token: string,
    private readonly ttlMs: number,
  ) {}

  /** The lock, or null when another process holds it. */
  static async acquire(
    client: RedisClient,
    key: string,
    ttlMs: number,
  ): Promise<HistoryLock | null> {
    const token = randomUUID();
    const taken = await client.set(key, token, 'PX', ttlMs, 'NX');
    return taken === 'OK' ? new HistoryLock(client, key, token, ttlMs) : null;
  }

  /** Another `ttlMs` from now. False if the lock expired and someone else took it. */
  async extend(): Promise<boolean> {
    return Number(await this.client.eval(EXTEND, 1, this.key, this.token, this.ttlMs)) === 1;
  }

  async release(): Promise<void> {
    await this.client.eval(RELEASE, 1, this.key, this.token);
  }
}
