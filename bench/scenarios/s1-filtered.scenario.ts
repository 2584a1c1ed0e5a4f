import type { ContentFilter } from '../../src';
import type { BenchContext } from '../lib/bench.context';
import type { ModuleSide, StoreSideSpec } from '../lib/module-store';
import { filterSummary } from '../lib/report.util';
import type { S1FilteredResult } from '../lib/results.types';
import type { SubscriptionTarget } from '../lib/services.setup';

/**
 * The filter of S1-filtered's second subscription on each list. It never matches the bench's data
 * (benchData's contact.fields are { city: 'London', plan: 'pro' }), yet PostgreSQL's fan-out
 * evaluates it for every event: deliveries per event stay S1's one.
 */
export const S1_FILTER: ContentFilter = {
  $or: [
    { 'contact.fields.plan': { $in: ['free', 'trial'] } },
    { 'contact.fields.city': { $in: ['Rome', 'Milan'] } },
  ],
};

/** S1's subscription on each list, and beside it one with S1_FILTER (same origin, another path). */
export function withFilteredTwins(targets: readonly SubscriptionTarget[]): SubscriptionTarget[] {
  return [
    ...targets,
    ...targets.map(({ listId, url }) => ({ listId, url: `${url}/filtered`, filter: S1_FILTER })),
  ];
}

/**
 * S1-filtered: S1 on a PostgreSQL store of its own where each of the 100 lists has, beside S1's
 * subscription, a filtered one on the same event type that never matches (issue 21: "filtering
 * must not cost the emit path").
 */
export const S1_FILTERED: StoreSideSpec = {
  id: 'S1-filtered',
  listPrefix: 's1f',
  database: 'postgres',
  subscriptions: withFilteredTwins,
};

/**
 * Proof that the filters were there and evaluated: counted in its schema now (every list has its
 * filtered subscription, with the SQL/JSON path PostgreSQL's fan-out evaluates) and, through the
 * returned function, after its last run (the filtered subscriptions got no delivery, the unfiltered
 * one per event each). Both counts are logged.
 */
export async function witnessFilters(
  ctx: BenchContext,
  side: ModuleSide,
): Promise<() => Promise<Pick<S1FilteredResult, 'filter' | 'lists' | 'atSetup' | 'atEnd'>>> {
  const atSetup = await side.services.filterCounts();
  ctx.log(`S1-filtered set up: ${filterSummary(atSetup)}`);
  return async () => {
    const atEnd = await side.services.filterCounts();
    ctx.log(`S1-filtered after its runs: ${filterSummary(atEnd)}`);
    return { filter: S1_FILTER, lists: side.lists.length, atSetup, atEnd };
  };
}
