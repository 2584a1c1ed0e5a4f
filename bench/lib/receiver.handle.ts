import { Wakeups } from '../../test/support/eventually';
import type { PortClass, ReceiverApi, ReceiverProgress, ReceiverStats } from './child.apis';
import { BenchChild } from './child.handle';

/** The bench's view of the receiver process: its URLs, live progress, and stats. */
export class ReceiverHandle {
  private progress: ReceiverProgress = { fast: 0, hang: 0 };
  private readonly arrivals = new Wakeups();

  private constructor(
    private readonly child: BenchChild<ReceiverApi>,
    readonly fastPorts: readonly number[],
    readonly hangPorts: readonly number[],
  ) {
    child.on('progress', (payload) => {
      this.progress = payload as ReceiverProgress;
      this.arrivals.wake();
    });
  }

  static async start(fast: number, hang: number): Promise<ReceiverHandle> {
    const child = await BenchChild.start<ReceiverApi>(
      'receiver',
      'bench/lib/receiver.process.ts',
      {},
    );
    const ports = await child.call('listen', { fast, hang });
    return new ReceiverHandle(child, ports.fast, ports.hang);
  }

  get pid(): number {
    return this.child.pid;
  }

  /** The URL of the i-th fast (or hanging) port, with a path naming what it is for. */
  url(portClass: PortClass, index: number, path: string): string {
    const ports = portClass === 'fast' ? this.fastPorts : this.hangPorts;
    return `http://127.0.0.1:${ports[index % ports.length]}/${path}`;
  }

  current(): ReceiverProgress {
    return this.progress;
  }

  async reset(): Promise<void> {
    await this.child.call('reset');
    this.progress = { fast: 0, hang: 0 };
  }

  stats(): Promise<ReceiverStats> {
    return this.child.call('stats');
  }

  fastArrivals(): Promise<Array<[deliveryId: string, arrivalMs: number]>> {
    return this.child.call('fastArrivals');
  }

  /** Forwards the count of fast deliveries (to a producer, for its backlog bound). */
  relayTo(forward: (fastReceived: number) => void): () => void {
    return this.child.on('progress', (payload) => forward((payload as ReceiverProgress).fast));
  }

  /** Resolves true once `count` distinct fast deliveries have arrived, false after `timeoutMs`. */
  waitForFast(count: number, timeoutMs: number): Promise<boolean> {
    return this.arrivals.until(() => this.progress.fast >= count, timeoutMs, 250);
  }

  stop(): Promise<void> {
    return this.child.stop(5_000);
  }
}
