import type { BenchContext } from '../lib/bench.context';
import type { ModuleSide, StoreSideSpec } from '../lib/module-store';
import { orderingSummary } from '../lib/report.util';
import type { OrderingCounts, S1OrderedResult } from '../lib/results.types';

/**
 * The distinct ordering keys of S1-ordered's events: event `seq` gets `contact-${seq % 10_000}`, as
 * the demo keys a contact's events by its id. Many keys, each rarely repeated: events round-robin
 * over the 100 lists, so each subscription sees 100 keys, each once every 10,000 events (seconds
 * apart at S1's rates), and never two of a key in flight at once (the emitter pauses at 1,000
 * undelivered events). That is the realistic case for contacts, and it measures what ordering costs
 * every keyed delivery (its turn asked with its load or instead of it, its claim, its look for waiters), not waits behind a retry.
 */
export const S1_ORDERING_KEYS = 10_000;

/**
 * S1-ordered: S1 on a PostgreSQL store of its own (the same 100 lists and subscriptions) whose
 * emitter passes an `orderingKey` with every event (issue 22: "pacing and ordering must not cost
 * the unordered path: S1 with and without ordering keys side by side").
 */
export const S1_ORDERED: StoreSideSpec = {
  id: 'S1-ordered',
  listPrefix: 's1o',
  database: 'postgres',
  orderingKeys: S1_ORDERING_KEYS,
};

const PENDING_POLL_MS = 200;

/**
 * Proof that the keys were used and every delivery went: after its last (latency) run, once no
 * delivery of its schema is pending any more (the receiver has every body before the worker records
 * it), counts its deliveries with an ordering key and by status. Logged.
 */
export async function witnessOrdering(
  ctx: BenchContext,
  side: ModuleSide,
): Promise<Pick<S1OrderedResult, 'orderingKeys' | 'atEnd'>> {
  const deadline = performance.now() + ctx.durations.drainTimeoutMs;
  let atEnd: OrderingCounts = await side.services.orderingCounts();
  while ((atEnd.byStatus.pending ?? 0) > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
    atEnd = await side.services.orderingCounts();
  }
  ctx.log(`S1-ordered after its runs: ${orderingSummary(atEnd)}`);
  return { orderingKeys: S1_ORDERING_KEYS, atEnd };
}
