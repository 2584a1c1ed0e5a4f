/**
 * H's join: per delivery, the emit, hand-off and first-attempt spans of the emitter and workers
 * (times on one clock, performance.timeOrigin + performance.now(), as the receiver's), broken
 * into hops recorded in HDR histograms.
 */
import type { HopSpans } from './child.apis';
import { num } from './format.util';
import { LatencyRecorder } from './histogram.util';
import type { HopBreakdownResult, HopName, LatencyResult } from './results.types';

const HOP_NAMES: readonly HopName[] = ['write', 'enqueue', 'pickupAndLoad', 'request', 'sum'];

/** Report labels: what each hop spans. */
const HOP_LABELS: Record<HopName, string> = {
  write: 'write: emit start → emit end (statement, group commit)',
  enqueue: 'enqueue: emit end → hand-off end (Redis took the job)',
  pickupAndLoad: 'pickup + load: hand-off end → attempt start',
  request: 'request: attempt start → attempt end (sign, HTTP exchange)',
  sum: 'sum: emit start → attempt end',
};

export function joinHopSpans(
  spans: readonly HopSpans[],
  arrivals: ReadonlyArray<[string, number]>,
  latency: LatencyResult,
): HopBreakdownResult {
  const emits = new Map<string, [number, number]>();
  const handOffEnds = new Map<string, number>();
  const attempts: HopSpans['attempts'] = [];
  let dropped = 0;
  let retries = 0;
  for (const part of spans) {
    for (const [id, start, end] of part.emits) emits.set(id, [start, end]);
    // An emit's deliveries are handed off once; a relay's later hand-off would not be the hop.
    for (const [id, end] of part.handOffs) if (!handOffEnds.has(id)) handOffEnds.set(id, end);
    for (const attempt of part.attempts) attempts.push(attempt);
    dropped += part.dropped;
    retries += part.laterAttempts;
  }
  const arrivedAt = new Map(arrivals);
  const recorders = Object.fromEntries(
    HOP_NAMES.map((name) => [name, new LatencyRecorder()]),
  ) as Record<HopName, LatencyRecorder>;
  const negative = Object.fromEntries(HOP_NAMES.map((name) => [name, 0])) as Record<
    HopName,
    number
  >;
  const toArrival = new LatencyRecorder();
  const attemptToArrival = new LatencyRecorder();
  const missing = { emit: 0, handOff: 0, arrival: 0 };
  const record = (name: HopName, ms: number) => {
    if (ms < 0) negative[name]++;
    recorders[name].recordMs(Math.max(0, ms));
  };
  let joined = 0;
  for (const [deliveryId, emitId, attemptStart, attemptEnd] of attempts) {
    const emit = emits.get(emitId);
    const handOffEnd = handOffEnds.get(emitId);
    if (!emit) missing.emit++;
    else if (handOffEnd === undefined) missing.handOff++;
    if (!emit || handOffEnd === undefined) continue;
    joined++;
    const [emitStart, emitEnd] = emit;
    record('write', emitEnd - emitStart);
    record('enqueue', handOffEnd - emitEnd);
    record('pickupAndLoad', attemptStart - handOffEnd);
    record('request', attemptEnd - attemptStart);
    record('sum', attemptEnd - emitStart);
    const arrival = arrivedAt.get(deliveryId);
    if (arrival === undefined) {
      missing.arrival++;
      continue;
    }
    toArrival.recordMs(arrival - emitStart);
    attemptToArrival.recordMs(arrival - attemptStart);
  }
  return {
    latency,
    joined,
    spans: {
      emits: emits.size,
      handOffs: handOffEnds.size,
      attempts: attempts.length,
      dropped,
      retries,
    },
    missing,
    hops: Object.fromEntries(
      HOP_NAMES.map((name) => [name, recorders[name].summary()]),
    ) as HopBreakdownResult['hops'],
    negative,
    toArrival: toArrival.summary(),
    attemptToArrival: attemptToArrival.summary(),
  };
}

const ms = (value: number) => value.toFixed(2);

/** The hop table of the report, as lines. */
export function formatHopTable(result: HopBreakdownResult): string[] {
  const { latency, joined, spans, missing } = result;
  const rows: string[][] = [['hop', 'p50 ms', 'p90 ms', 'p99 ms', 'negative']];
  for (const name of HOP_NAMES) {
    const hop = result.hops[name];
    rows.push([
      HOP_LABELS[name],
      ms(hop.p50Ms),
      ms(hop.p90Ms),
      ms(hop.p99Ms),
      `${result.negative[name]}`,
    ]);
  }
  for (const [label, summary] of [
    ['emit start → arrival at the receiver', result.toArrival],
    ['attempt start → arrival at the receiver', result.attemptToArrival],
    ['end to end as S1 measures it: emittedAt → arrival', latency.latency],
  ] as const) {
    rows.push([label, ms(summary.p50Ms), ms(summary.p90Ms), ms(summary.p99Ms), '']);
  }
  const widths = rows[0].map((_cell, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[column]),
      )
      .join('  '),
  );
  const absent = Object.entries(missing)
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${count} without ${what === 'handOff' ? 'hand-off' : what}`);
  return [
    `H: S1's hops from its spans at ${num(latency.targetRatePerSec)}/s (achieved ${num(latency.achievedRatePerSec)}/s): ${num(joined)} of ${num(latency.delivered)} deliveries joined (spans: ${spans.emits} emits, ${spans.handOffs} handed off, ${spans.attempts} first attempts, ${spans.retries} retries, ${spans.dropped} dropped${absent.length > 0 ? `; ${absent.join(', ')}` : ''})`,
    ...lines.map((line) => `  ${line}`),
    '  The attempt span ends when the response is in; the attempt is recorded after it, outside any span. The hand-off ends when the emitter hears Redis took the job, which a busy emitter may hear after the worker started on it: such pickups count as negative, recorded as 0. Each hop is per delivery: the p50s of the hops need not add up to the p50 of their sum.',
  ];
}
