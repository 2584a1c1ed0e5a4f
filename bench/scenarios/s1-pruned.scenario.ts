import { setTimeout as sleep } from 'node:timers/promises';
import { PRUNED_RETENTION } from '../lib/bench.config';
import type { BenchContext } from '../lib/bench.context';
import type { ModuleSide, StoreSideSpec } from '../lib/module-store';
import { pruningSummary } from '../lib/report.util';
import type { PruningRound, S1PrunedResult } from '../lib/results.types';

/**
 * S1-pruned: S1 on a PostgreSQL store of its own whose workers prune the history while it is
 * measured (settled events kept 2 s, pruned every second, in batches of the default 500).
 */
export const S1_PRUNED: StoreSideSpec = {
  id: 'S1-pruned',
  listPrefix: 's1p',
  database: 'postgres',
  workerOptions: { retention: PRUNED_RETENTION },
};

/** How long the bench waits after an S1-pruned round for pruning to empty its history. */
const CATCH_UP_LIMIT_MS = 15_000;
const POLL_MS = 250;

/**
 * Proof that pruning ran, taken after each round of the side: the history left in its schema right
 * after the round against the events it emitted. The bench then waits until pruning has emptied the
 * history (up to CATCH_UP_LIMIT_MS), so that deleting the round's tail does not fall in the next
 * side's round. Returns what to add to the side's result.
 */
export function witnessPruning(
  ctx: BenchContext,
  side: ModuleSide,
): () => Pick<S1PrunedResult, 'retention' | 'pruning'> {
  const pruning: PruningRound[] = [];
  let eventsBefore = 0;
  side.afterRound = async (result) => {
    const left = await side.services.historyRows();
    const total = eventsBefore + result.emitted;
    const ended = performance.now();
    let events = left.events;
    while (events > 0 && performance.now() - ended < CATCH_UP_LIMIT_MS) {
      await sleep(POLL_MS);
      ({ events } = await side.services.historyRows());
    }
    const round: PruningRound = {
      eventsBefore,
      eventsEmitted: result.emitted,
      left,
      deletedShare: total === 0 ? 0 : (total - left.events) / total,
      emptyAfterMs: events === 0 ? Math.round(performance.now() - ended) : null,
    };
    pruning.push(round);
    eventsBefore = events;
    ctx.log(`S1-pruned: ${pruningSummary(round)}`);
  };
  return () => ({ retention: PRUNED_RETENTION, pruning });
}
