import { FAST_PORTS, HANG_PORTS } from '../lib/bench.config';
import type { BenchContext } from '../lib/bench.context';
import type { LoadList } from '../lib/child.apis';
import type { SubscriptionTarget } from '../lib/services.setup';

export interface IsolationSetup {
  targets: SubscriptionTarget[];
  lists: LoadList[];
  /** The lists of the healthy endpoints only. */
  healthyLists: LoadList[];
  hanging: number;
  healthy: number;
}

/**
 * S3: S1's shape (100 lists × 1 subscription, one origin each), but every 10th endpoint hangs past
 * the timeout (`requestTimeoutMs` 2 s, then retries on the schedule). Only the healthy 90% count
 * toward the backlog bound and the figures. Measured in the side-by-side rounds, next to S1.
 */
export function isolationSetup(ctx: BenchContext): IsolationSetup {
  const hangs = (index: number) => index % 10 === 0 && index / 10 < HANG_PORTS;
  const targets = Array.from({ length: FAST_PORTS }, (_unused, index) => ({
    listId: `s3-${index}`,
    url: hangs(index)
      ? ctx.receiver.url('hang', index / 10, `s3/${index}`)
      : ctx.receiver.url('fast', index, `s3/${index}`),
  }));
  const hanging = targets.filter((_target, index) => hangs(index)).length;
  const lists = targets.map(({ listId }, index) => ({ listId, counts: !hangs(index) }));
  return {
    targets,
    lists,
    healthyLists: lists.filter((list) => list.counts),
    hanging,
    healthy: targets.length - hanging,
  };
}
