import { heapCap, num, pct, ratio } from './format.util';
import type {
  BenchResults,
  BullJobsPerDelivery,
  LatencyResult,
  S1FilteredResult,
  S1LocalResult,
  S1OrderedResult,
  S1PrunedResult,
  S1Result,
  TargetResult,
} from './results.types';

const pass = (ok: boolean): TargetResult['status'] => (ok ? 'PASS' : 'MISS');

/** S1-pruned's figure means something only if pruning deleted at least this share in each round. */
const PRUNED_SHARE_NEEDED = 0.25;

function prunedTarget(s1Pruned: S1PrunedResult | undefined): TargetResult {
  const target = 'S1-pruned throughput ≥ 90% of S1 (history pruned beside it)';
  const r = s1Pruned?.ratios.vsS1;
  if (!s1Pruned || r == null)
    return { id: 'S1-pruned', target, figure: 'needs S1 and S1-pruned', status: 'n/a' };
  // The evidence rests on the round in which pruning had deleted the least.
  const shares = s1Pruned.pruning.map((round) => round.deletedShare);
  const share = shares.length > 0 ? Math.min(...shares) : 0;
  const figure = `${pct(r)} (median of per-round ratios to S1; pruning deleted ≥ ${pct(share)} of each round's events by its end)`;
  if (share < PRUNED_SHARE_NEEDED) {
    return {
      id: 'S1-pruned',
      target,
      figure: `${figure}: pruning deleted too little to judge (≥ ${pct(PRUNED_SHARE_NEEDED)} needed)`,
      status: 'n/a',
    };
  }
  return {
    id: 'S1-pruned',
    target,
    figure,
    status: pass(r >= 0.9 && s1Pruned.throughput.complete),
  };
}

/**
 * Whether the counts show every list with its filtered subscription and every event fanned out to
 * its list's unfiltered one: `null` if so, else what is off (then S1-filtered's ratio is not judged,
 * as S1-pruned's is not unless pruning deleted enough). Deliveries to the filtered subscriptions
 * are judged apart: they would be a filter that let through what it should not.
 */
function filtersUnproven({
  lists,
  atSetup,
  atEnd,
}: Pick<S1FilteredResult, 'lists' | 'atSetup' | 'atEnd'>): string | null {
  const { total, filtered, withJsonPath } = atSetup.subscriptions;
  if (total !== 2 * lists || filtered !== lists || withJsonPath !== lists)
    return `expected ${2 * lists} subscriptions, ${lists} filtered (with their SQL/JSON path); found ${total}, ${filtered} (${withJsonPath})`;
  if (atEnd.events === 0 || atEnd.deliveries.unfiltered !== atEnd.events)
    return `expected one unfiltered delivery per event; ${atEnd.deliveries.unfiltered} for ${atEnd.events} events`;
  return null;
}

function filteredTarget(s1Filtered: S1FilteredResult | undefined): TargetResult {
  const id = 'S1-filtered';
  const target = 'S1-filtered throughput ≥ 90% of S1 (100 filtered subscriptions beside)';
  const r = s1Filtered?.ratios.vsS1;
  if (!s1Filtered || r == null)
    return { id, target, figure: 'needs S1 and S1-filtered', status: 'n/a' };
  const figure = `${pct(r)} (median of per-round ratios to S1; ${num(s1Filtered.atEnd.events)} events, each past a filter)`;
  const unproven = filtersUnproven(s1Filtered);
  if (unproven !== null)
    return {
      id,
      target,
      figure: `${figure}: filters not shown evaluated (${unproven})`,
      status: 'n/a',
    };
  const leaked = s1Filtered.atEnd.deliveries.filtered;
  if (leaked > 0) {
    return {
      id,
      target,
      figure: `${figure}; ${num(leaked)} deliveries to filtered subscriptions whose filter matches nothing`,
      status: 'MISS',
    };
  }
  return { id, target, figure, status: pass(r >= 0.9 && s1Filtered.throughput.complete) };
}

/**
 * S1-ordered's ratio to S1 is judged only if its schema shows one delivery per event, each with an
 * ordering key (else n/a), and a MISS if any delivery did not succeed (a turn never given, say).
 */
function orderedTarget(s1Ordered: S1OrderedResult | undefined): TargetResult {
  const id = 'S1-ordered';
  const target = 'S1-ordered throughput ≥ 90% of S1 (an ordering key per event)';
  const r = s1Ordered?.ratios.vsS1;
  if (!s1Ordered || r == null)
    return { id, target, figure: 'needs S1 and S1-ordered', status: 'n/a' };
  const { events, deliveries, keyed, keys, byStatus } = s1Ordered.atEnd;
  const figure = `${pct(r)} (median of per-round ratios to S1; ${num(deliveries)} deliveries, ${num(keyed)} keyed, ${num(keys)} keys)`;
  if (events === 0 || deliveries !== events || keyed !== deliveries)
    return {
      id,
      target,
      figure: `${figure}: keys not shown used (expected one keyed delivery per event; ${num(keyed)} keyed of ${num(deliveries)} deliveries for ${num(events)} events)`,
      status: 'n/a',
    };
  const unsucceeded = deliveries - (byStatus.succeeded ?? 0);
  if (unsucceeded > 0) {
    return {
      id,
      target,
      figure: `${figure}; ${num(unsucceeded)} deliveries not succeeded`,
      status: 'MISS',
    };
  }
  return { id, target, figure, status: pass(r >= 0.9 && s1Ordered.throughput.complete) };
}

/**
 * S1-local has no target of its own: its row sets its figures beside S1's (ratio, latency at half
 * each one's maximum, Bull jobs per delivery), n/a as a comparison, not a judgement.
 */
function localComparison(
  s1Local: S1LocalResult | undefined,
  s1: S1Result | undefined,
): TargetResult {
  const id = 'S1-local';
  const target = 'S1-local, its emitter a worker too: compared with S1 (no target)';
  const r = s1Local?.ratios.vsS1;
  if (!s1Local || !s1 || r == null)
    return { id, target, figure: 'needs S1 and S1-local', status: 'n/a' };
  const latency = (l: LatencyResult | undefined) =>
    l
      ? `p50 ${num(l.latency.p50Ms, 1)} / p99 ${num(l.latency.p99Ms, 1)} ms at ${num(l.targetRatePerSec)}/s`
      : 'no latency run';
  const perDelivery = (value: number | null) => (value === null ? 'n/a' : num(value, 3));
  const jobs = (bullJobs: BullJobsPerDelivery | undefined) =>
    bullJobs
      ? `${perDelivery(bullJobs.rounds.perDelivery)} / ${perDelivery(bullJobs.latency.perDelivery)}`
      : 'n/a';
  const figure = `${pct(r)} of S1 (median of per-round ratios); latency ${latency(s1Local.latency)} (S1 ${latency(s1.latency)}); Bull jobs per delivery, saturated / latency run, ${jobs(s1Local.bullJobs)} (S1 ${jobs(s1.bullJobs)})${s1Local.throughput.complete ? '' : '; NOT all delivered'}`;
  return { id, target, figure, status: 'n/a' };
}

/**
 * The targets of issue #5 (and issue 18's S1-pruned, issue 21's S1-filtered, issue 22's
 * B-persisted ratio and S1-ordered), each judged on figures of this run.
 */
export function evaluateTargets(results: BenchResults): TargetResult[] {
  const s1 = results.s1?.throughput;
  const s1Latency = results.s1?.latency;
  const naive = results.baselines.naive;
  const raw = results.baselines.raw;
  const { s2, s3, s6, s9 } = results;
  const na = (id: string, target: string, why: string): TargetResult => ({
    id,
    target,
    figure: why,
    status: 'n/a',
  });
  const targets: TargetResult[] = [];

  const ratios = results.s1?.ratios;
  const naiveTarget = 'S1 throughput ≥ 1.0× B-naive';
  if (s1 && naive && ratios?.vsNaive != null) {
    const r = ratios.vsNaive;
    targets.push({
      id: 'S1/B-naive',
      target: naiveTarget,
      figure: `${ratio(r)} (median ${num(s1.deliveriesPerSec)} vs ${num(naive.deliveriesPerSec)}/s)`,
      status: pass(r >= 1 && s1.complete),
    });
  } else targets.push(na('S1/B-naive', naiveTarget, 'needs S1 and B-naive'));

  const persisted = results.baselines.persisted;
  const persistedTarget = 'S1 throughput ≥ 3× B-persisted';
  if (s1 && persisted && ratios?.vsPersisted != null) {
    const r = ratios.vsPersisted;
    targets.push({
      id: 'S1/B-persisted',
      target: persistedTarget,
      figure: `${ratio(r)} (median ${num(s1.deliveriesPerSec)} vs ${num(persisted.deliveriesPerSec)}/s)`,
      status: pass(r >= 3 && s1.complete),
    });
  } else targets.push(na('S1/B-persisted', persistedTarget, 'needs S1 and B-persisted'));

  const rawTarget = 'S1 throughput ≥ 25% of B-raw';
  if (s1 && raw && ratios?.vsRaw != null) {
    const r = ratios.vsRaw;
    targets.push({
      id: 'S1/B-raw',
      target: rawTarget,
      figure: `${pct(r)} (median ${num(s1.deliveriesPerSec)} vs ${num(raw.requestsPerSec)}/s)`,
      status: pass(r >= 0.25 && s1.complete),
    });
  } else targets.push(na('S1/B-raw', rawTarget, 'needs S1 and B-raw'));

  if (s1Latency) {
    const at = `at ${num(s1Latency.targetRatePerSec)}/s`;
    targets.push({
      id: 'S1 p50',
      target: 'S1 latency at half max rate: p50 ≤ 10 ms',
      figure: `${num(s1Latency.latency.p50Ms, 1)} ms ${at}`,
      status: pass(s1Latency.latency.p50Ms <= 10 && s1Latency.complete),
    });
    targets.push({
      id: 'S1 p99',
      target: 'S1 latency at half max rate: p99 ≤ 50 ms',
      figure: `${num(s1Latency.latency.p99Ms, 1)} ms ${at}`,
      status: pass(s1Latency.latency.p99Ms <= 50 && s1Latency.complete),
    });
  } else {
    targets.push(na('S1 p50', 'S1 latency at half max rate: p50 ≤ 10 ms', 'S1 not run'));
    targets.push(na('S1 p99', 'S1 latency at half max rate: p99 ≤ 50 ms', 'S1 not run'));
  }

  if (s2) {
    // The target is for 10,000; a quick run's smaller fan-out is held to the same rate (pro rata).
    const limitMs = (5_000 * s2.subscriptions) / 10_000;
    targets.push({
      id: 'S2 time',
      target:
        s2.subscriptions === 10_000
          ? 'S2 all 10,000 delivered ≤ 5 s'
          : `S2 all ${num(s2.subscriptions)} delivered ≤ ${num(limitMs / 1000, 1)} s (10,000 in 5 s, pro rata)`,
      figure: `${s2.complete ? 'all' : `${num(s2.delivered)}`} delivered, last after ${num(s2.timeToLastMs / 1000, 2)} s`,
      status: pass(s2.complete && s2.timeToLastMs <= limitMs),
    });
    targets.push({
      id: 'S2 RSS',
      target: 'S2 worker RSS growth ≤ 100 MB',
      figure: `+${num(s2.rssGrowthMb, 1)} MB (${num(s2.rssBaselineMb, 1)} → ${num(s2.rssPeakMb, 1)} MB)`,
      status: pass(s2.rssGrowthMb <= 100),
    });
  } else {
    targets.push(na('S2 time', 'S2 all 10,000 delivered ≤ 5 s', 'S2 not run'));
    targets.push(na('S2 RSS', 'S2 worker RSS growth ≤ 100 MB', 'S2 not run'));
  }

  targets.push(prunedTarget(results.s1Pruned));
  targets.push(filteredTarget(results.s1Filtered));
  targets.push(orderedTarget(results.s1Ordered));
  targets.push(localComparison(results.s1Local, results.s1));

  const s3Target = 'S3 healthy throughput ≥ 90% of S1';
  if (s3 && s3.vsS1 !== null) {
    const r = s3.vsS1;
    targets.push({
      id: 'S3',
      target: s3Target,
      figure: `${pct(r)} (median of per-round ratios to S1 rounds run alternately)`,
      status: pass(r >= 0.9 && s3.throughput.complete),
    });
  } else targets.push(na('S3', s3Target, 'needs S1 and S3'));

  const s6Target = `S6 worker RSS ≤ 256 MB and flat${heapCap(results.workerHeapMb, ' (', ')')}`;
  if (s6) {
    const w = s6.workerRss;
    targets.push({
      id: 'S6',
      target: s6Target,
      figure: `peak ${num(w.peakMb, 1)} MB, late growth ${num(w.lateGrowthPct, 1)}% (${w.flat ? 'flat' : 'growing'})`,
      status: pass(w.peakMb <= 256 && w.flat),
    });
  } else targets.push(na('S6', s6Target, 'S6 not run'));

  const s9Target = 'S9 SQLite ≥ 1,000 deliveries/s';
  if (s9) {
    targets.push({
      id: 'S9',
      target: s9Target,
      figure: `${num(s9.wal.deliveriesPerSec)} deliveries/s with WAL (${num(s9.defaultJournal.deliveriesPerSec)}/s with the default journal)`,
      status: pass(s9.wal.deliveriesPerSec >= 1_000 && s9.wal.complete),
    });
  } else targets.push(na('S9', s9Target, 'S9 not run'));
  return targets;
}
