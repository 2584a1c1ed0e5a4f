import { heapCap, lat, num, pct, ratio } from './format.util';
import { formatHopTable } from './hop-breakdown';
import type {
  BenchResults,
  BullJobCount,
  BullJobsPerDelivery,
  FilterCounts,
  OrderingCounts,
  PersistedRows,
  PruningRound,
  S1Result,
  ThroughputResult,
} from './results.types';

function completeness(t: ThroughputResult): string {
  const missing = t.expected - t.delivered;
  const parts = [missing > 0 ? `${num(missing)} NOT delivered` : 'all delivered'];
  if (t.duplicates > 0) parts.push(`${num(t.duplicates)} duplicates`);
  if (t.emitFailures > 0) parts.push(`${num(t.emitFailures)} emit failures`);
  if (t.producerBound) parts.push(`producer-bound (emitting ${num(t.emitPerSec)}/s)`);
  else
    parts.push(
      `emitting ${num(t.emitPerSec)}/s, callers waited ${Math.round(t.backlogWaitShare * 100)}% of the run on the backlog bound`,
    );
  if (t.drainPerSec !== null) parts.push(`drain ${num(t.drainPerSec)}/s`);
  const { producer, workers, postgres, mariadb, machine } = t.cpuMsPerDelivery;
  const [server, database] =
    mariadb != null ? (['MariaDB', mariadb] as const) : (['PostgreSQL', postgres] as const);
  const whole =
    database !== null && machine !== null
      ? `, ${server} ${num(database, 2)} ms, whole machine ${num(machine, 2)} ms`
      : '';
  if (producer !== null && workers !== null) {
    parts.push(
      `CPU/delivery: producer ${num(producer, 2)} ms, workers ${num(workers, 2)} ms${whole}`,
    );
  } else if (producer !== null) {
    parts.push(`CPU/delivery (one process: emit + deliver) ${num(producer, 2)} ms${whole}`);
  }
  return parts.join(', ');
}

function jobs(worker: ThroughputResult['worker']): string {
  if (!worker) return '';
  const failed = Object.entries(worker.jobsFailed)
    .map(([name, count]) => `${name} ${num(count)}`)
    .join(', ');
  return failed ? `; Bull job failures: ${failed}` : '';
}

const outcomes = (attempts: Record<string, number>) =>
  Object.entries(attempts)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${kind} ${num(count)}`)
    .join(', ');

/** What pruning had done by the end of one S1-pruned round. */
export function pruningSummary(round: PruningRound): string {
  const { left } = round;
  const before = round.eventsBefore > 0 ? ` (+${num(round.eventsBefore)} left before it)` : '';
  const empty =
    round.emptyAfterMs === null
      ? 'history NOT empty after the wait'
      : `history empty ${num(round.emptyAfterMs / 1000, 1)} s later`;
  return `${num(round.eventsEmitted)} events emitted${before}, ${pct(round.deletedShare)} pruned by the round's end (left: ${num(left.events)} events, ${num(left.deliveries)} deliveries, ${num(left.attempts)} attempts); ${empty}`;
}

/** S1-filtered's subscriptions and the deliveries each kind got, as counted in its schema. */
export function filterSummary({ subscriptions, events, deliveries }: FilterCounts): string {
  return `${num(subscriptions.total)} subscriptions, ${num(subscriptions.filtered)} with a filter (${num(subscriptions.withJsonPath)} with its SQL/JSON path); ${num(events)} events, ${num(deliveries.unfiltered)} deliveries to unfiltered subscriptions, ${num(deliveries.filtered)} to filtered ones`;
}

/** S1-ordered's deliveries: how many carry an ordering key, and how they ended. */
export function orderingSummary({
  events,
  deliveries,
  keyed,
  keys,
  byStatus,
}: OrderingCounts): string {
  const statuses =
    Object.entries(byStatus)
      .sort((a, b) => b[1] - a[1])
      .map(([status, count]) => `${status} ${num(count)}`)
      .join(', ') || 'none';
  return `${num(events)} events, ${num(deliveries)} deliveries, ${num(keyed)} with an ordering key (${num(keys)} distinct keys); deliveries ${statuses}`;
}

/** Bull jobs added per delivery, over a side's saturated rounds and over its latency run. */
export function bullJobsSummary({ rounds, latency }: BullJobsPerDelivery): string {
  const part = ({ jobsAdded, deliveries, perDelivery }: BullJobCount) =>
    `${perDelivery === null ? 'n/a' : num(perDelivery, 3)} (${num(jobsAdded)} jobs for ${num(deliveries)} deliveries)`;
  return `saturated rounds ${part(rounds)}; latency run, warm-up included, ${part(latency)}`;
}

/** B-persisted's schema after its runs: events, deliveries by status, attempts by outcome. */
export function persistedRowsSummary({ events, deliveries, attempts }: PersistedRows): string {
  const byKey = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([key, count]) => `${key} ${num(count)}`)
      .join(', ') || 'none';
  return `${num(events)} events; deliveries ${byKey(deliveries)}; attempts ${byKey(attempts)}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_cell, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
        .join('  '),
    )
    .join('\n');
}

/** The results as the text tables printed at the end of a run. */
export function formatReport(results: BenchResults): string {
  const { machine } = results;
  const rows: string[][] = [['scenario', 'what', 'figures']];
  const { raw, naive, naiveLatency, persisted, persistedLatency, persistedRows } =
    results.baselines;
  const rounds = (values: number[] | undefined) =>
    values && values.length > 1 ? ` (rounds: ${values.map((v) => num(v)).join(', ')})` : '';
  if (raw) {
    rows.push([
      'B-raw',
      'undici Pool → receiver',
      `${num(raw.requestsPerSec)} requests/s${rounds(results.baselines.rawRounds)}; round trip ${lat(raw.roundTrip)}${raw.errors ? `; ${num(raw.errors)} errors` : ''}`,
    ]);
  }
  if (naive) {
    rows.push([
      'B-naive',
      'Bull job + sign + undici',
      `${num(naive.deliveriesPerSec)} deliveries/s${rounds(results.baselines.naiveRounds)}; ${completeness(naive)}${jobs(naive.worker)}`,
    ]);
  }
  if (naiveLatency) {
    rows.push([
      'B-naive',
      `latency at ${num(naiveLatency.targetRatePerSec)}/s`,
      lat(naiveLatency.latency),
    ]);
  }
  if (persisted) {
    rows.push([
      'B-persisted',
      'TypeORM rows + Bull job + sign + undici',
      `${num(persisted.deliveriesPerSec)} deliveries/s${rounds(results.baselines.persistedRounds)}; emit call p50 ${num(persisted.emitCall.p50Ms, 1)} ms; ${completeness(persisted)}${jobs(persisted.worker)}`,
    ]);
  }
  if (persistedRows) {
    rows.push(['B-persisted', 'rows at the end', persistedRowsSummary(persistedRows)]);
  }
  if (persistedLatency) {
    rows.push([
      'B-persisted',
      `latency at ${num(persistedLatency.targetRatePerSec)}/s`,
      `${lat(persistedLatency.latency)}${persistedLatency.complete ? '' : '; INCOMPLETE'}`,
    ]);
  }
  const s1Rows = (
    id: string,
    where: string,
    s1: S1Result,
    vsS1: number | null = null,
    attemptsAre = 'attempts recorded',
  ) => {
    const vs: string[] = [];
    if (s1.ratios.vsNaive !== null) vs.push(`${ratio(s1.ratios.vsNaive)} B-naive`);
    if (s1.ratios.vsPersisted !== null) vs.push(`${ratio(s1.ratios.vsPersisted)} B-persisted`);
    if (s1.ratios.vsRaw !== null) vs.push(`${pct(s1.ratios.vsRaw)} of B-raw`);
    if (vsS1 !== null) vs.push(`${pct(vsS1)} of S1`);
    rows.push([
      id,
      `max sustained, 100 origins${where}`,
      `${num(s1.throughput.deliveriesPerSec)} deliveries/s${rounds(s1.rounds)}${vs.length ? ` (${vs.join(', ')})` : ''}; emit call p50 ${num(s1.throughput.emitCall.p50Ms, 1)} ms; ${completeness(s1.throughput)}${jobs(s1.throughput.worker)}`,
    ]);
    rows.push([id, attemptsAre, outcomes(s1.attempts)]);
    if (s1.bullJobs) rows.push([id, 'Bull jobs added per delivery', bullJobsSummary(s1.bullJobs)]);
    if (s1.latency) {
      rows.push([
        id,
        `latency at ${num(s1.latency.targetRatePerSec)}/s (open)`,
        `${lat(s1.latency.latency)}; emitter lag max ${num(s1.latency.maxEmitterLagMs, 1)} ms${s1.latency.complete ? '' : '; INCOMPLETE'}`,
      ]);
    }
  };
  if (results.s1) s1Rows('S1', '', results.s1);
  const onMariaDb = results.s1Mariadb;
  if (onMariaDb) {
    const server = onMariaDb.server
      ? `, MariaDB ${onMariaDb.server.version.split('-')[0]}`
      : ', MariaDB';
    s1Rows('S1-mariadb', server, onMariaDb, onMariaDb.ratios.vsS1);
  }
  const pruned = results.s1Pruned;
  if (pruned) {
    const { settledAfterMs, pruneEveryMs } = pruned.retention;
    const where = `, pruning (kept ${num(settledAfterMs / 1000, 1)} s, every ${num(pruneEveryMs / 1000, 1)} s)`;
    s1Rows('S1-pruned', where, pruned, pruned.ratios.vsS1, 'attempts left at the end');
    pruned.pruning.forEach((round, index) => {
      rows.push(['S1-pruned', `pruning, round ${index + 1}`, pruningSummary(round)]);
    });
  }
  const filtered = results.s1Filtered;
  if (filtered) {
    const where = `, ${num(filtered.lists)} filtered subscriptions beside`;
    s1Rows('S1-filtered', where, filtered, filtered.ratios.vsS1);
    rows.push(['S1-filtered', 'filters, at setup', filterSummary(filtered.atSetup)]);
    rows.push(['S1-filtered', 'filters, at the end', filterSummary(filtered.atEnd)]);
  }
  const ordered = results.s1Ordered;
  if (ordered) {
    const where = `, an ordering key per event (${num(ordered.orderingKeys)} keys)`;
    s1Rows('S1-ordered', where, ordered, ordered.ratios.vsS1);
    rows.push(['S1-ordered', 'ordering keys, at the end', orderingSummary(ordered.atEnd)]);
  }
  const local = results.s1Local;
  if (local) s1Rows('S1-local', ', the emitter a worker too', local, local.ratios.vsS1);
  const s2 = results.s2;
  if (s2) {
    rows.push([
      'S2',
      `fan-out 1 → ${num(s2.subscriptions)}`,
      `last delivery after ${num(s2.timeToLastMs / 1000, 2)} s (first ${num(s2.firstMs)} ms, median ${num(s2.medianMs)} ms); emit() ${num(s2.emitMs)} ms; ${num(s2.delivered)} delivered${s2.duplicates ? `, ${s2.duplicates} duplicates` : ''}`,
    ]);
    rows.push([
      'S2',
      'memory',
      `worker RSS ${num(s2.rssBaselineMb, 1)} → ${num(s2.rssPeakMb, 1)} MB (+${num(s2.rssGrowthMb, 1)}); Redis peak ${num(s2.redisPeakMb, 1)} MB${jobs(s2.worker)}`,
    ]);
  }
  const s3 = results.s3;
  if (s3) {
    const vsS1 =
      s3.vsS1 !== null
        ? ` (${pct(s3.vsS1)} of S1, measured alternately at ${s3.s1Rounds.map((v) => num(v)).join(', ')}/s)`
        : '';
    rows.push([
      'S3',
      `${s3.hangingEndpoints} of ${s3.hangingEndpoints + s3.healthyEndpoints} endpoints hang`,
      `healthy ${num(s3.throughput.deliveriesPerSec)} deliveries/s${rounds(s3.rounds)}${vsS1}; ${completeness(s3.throughput)}; ${num(s3.hangRequests)} requests to hanging endpoints${jobs(s3.worker)}`,
    ]);
    rows.push(['S3', 'attempts recorded', outcomes(s3.attempts)]);
    if (s3.latency) {
      rows.push([
        'S3',
        `healthy latency at ${num(s3.latency.targetRatePerSec)}/s`,
        lat(s3.latency.latency),
      ]);
    }
  }
  const s6 = results.s6;
  if (s6) {
    const w = s6.workerRss;
    const r = s6.redisUsedMemory;
    rows.push([
      'S6',
      `${num(s6.durationMs / 1000)} s at ${num(s6.ratePerSec)}/s`,
      `worker RSS ${num(w.startMb, 1)} / ${num(w.peakMb, 1)} / ${num(w.endMb, 1)} MB (start/peak/end, ${w.flat ? 'flat' : `growing ${num(w.lateGrowthPct, 1)}%`}); Redis used_memory ${num(r.startMb, 1)} / ${num(r.peakMb, 1)} / ${num(r.endMb, 1)} MB (${r.flat ? 'flat' : 'growing'})`,
    ]);
    rows.push(['S6', 'latency over the run', lat(s6.latency)]);
  }
  const s9 = results.s9;
  if (s9) {
    for (const [what, t] of [
      ['SQLite, rollback journal', s9.defaultJournal],
      ['SQLite, WAL', s9.wal],
    ] as const) {
      rows.push([
        'S9',
        `${what} (1 process)`,
        `${num(t.deliveriesPerSec)} deliveries/s; emit call p50 ${num(t.emitCall.p50Ms, 1)} ms; ${completeness(t)}${jobs(t.worker)}`,
      ]);
    }
  }
  const inbound = results.inbound;
  if (inbound) {
    const vsRaw = inbound.vsRaw !== null ? ` (${pct(inbound.vsRaw)} of B-raw)` : '';
    const missing = inbound.accepted - inbound.stored;
    rows.push([
      'IN',
      `inbound, ${inbound.senders} senders, 1 endpoint`,
      `${num(inbound.acceptedPerSec)} accepted/s${vsRaw}; acknowledgement ${lat(inbound.acknowledgement)}${inbound.errors ? `; ${num(inbound.errors)} errors (${inbound.firstError})` : ''}`,
    ]);
    rows.push([
      'IN',
      'stored and processed',
      `${num(inbound.stored)} stored of ${num(inbound.accepted)} accepted${missing !== 0 ? ` (${missing > 0 ? `${num(missing)} NOT stored` : `${num(-missing)} more than accepted`})` : ''}, ${num(inbound.processed)} processed${inbound.drainMs === null ? ' (NOT drained)' : `, drained ${num(inbound.drainMs / 1000, 1)} s after the phase`}; handler calls ${num(inbound.handlerCalls)}; host CPU ${inbound.hostCpuMsPerRequest === null ? 'n/a' : `${num(inbound.hostCpuMsPerRequest, 2)} ms`} per request (receive + process)`,
    ]);
  }
  const profile = results.profile;
  if (profile) {
    rows.push([
      'P',
      'S1 under --cpu-prof',
      `${num(profile.throughput.deliveriesPerSec)} deliveries/s (profiler overhead included)`,
    ]);
  }

  const hops = results.s1Hops;
  if (hops) {
    const { sum } = hops.hops;
    rows.push([
      'H',
      "S1's hops from its spans",
      `${num(hops.joined)} deliveries joined at ${num(hops.latency.targetRatePerSec)}/s; emit start → attempt end p50 ${num(sum.p50Ms, 1)} ms, p99 ${num(sum.p99Ms, 1)} ms (emittedAt → arrival p50 ${num(hops.latency.latency.p50Ms, 1)} ms, p99 ${num(hops.latency.latency.p99Ms, 1)} ms); hops below`,
    ]);
  }

  const targetRows = [
    ['target', 'figure (this run)', 'status'],
    ...results.targets.map((t) => [t.target, t.figure, t.status]),
  ];
  const server = results.s1Mariadb?.server;
  const mariaDb = server
    ? `, MariaDB ${server.version} (innodb_flush_log_at_trx_commit ${server.flushLogAtTrxCommit})`
    : '';
  const header = `nestjs-marketing-webhooks bench: ${results.mode} run, ${machine.date}
${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' ')}
${results.workerProcesses} worker process(es) × concurrency 50, pg pool ${results.workerPgPool}${heapCap(results.workerHeapMb, ', ')}; PostgreSQL (synchronous_commit ${results.synchronousCommit ? 'on' : 'OFF'})${mariaDb} + private redis-server; children run as ${results.childrenRunAs}`;
  const sections = [header, '', table(rows), '', table(targetRows)];
  if (profile) {
    sections.push('', 'Worker SQL per delivery (P run):');
    for (const query of profile.queriesPerDelivery.slice(0, 12)) {
      sections.push(
        `  ${query.perDelivery.toFixed(2).padStart(6)} × ${query.meanMs.toFixed(2).padStart(6)} ms  ${query.sql}`,
      );
    }
    sections.push(
      `Redis commands per delivery (emitter + worker): ${Object.entries(
        profile.redisCommandsPerDelivery,
      )
        .map(([name, count]) => `${name} ${count}`)
        .join(', ')}`,
    );
    if (profile.pool) {
      sections.push(
        `Worker pg pool: mean ${num(profile.pool.meanBusy, 1)} busy, mean ${num(profile.pool.meanWaiting, 1)} waiting (max ${profile.pool.maxWaiting})`,
      );
    }
  }
  if (hops) sections.push('', ...formatHopTable(hops));
  const environment = Object.entries(results.environment);
  if (environment.length > 0) {
    sections.push(
      '',
      'Environment per scenario: CPU busy (% of all cores: bench processes / postgres / mariadb / anything else) and a',
      'PostgreSQL commit probe (one tiny autocommit every 200 ms from the bench process: disk fsync health):',
      ...environment.map(
        ([id, { cpu, commit }]) =>
          `  ${id.padEnd(7)} CPU ${num(cpu.busyPct)}% (bench ${num(cpu.benchPct)}%, postgres ${num(cpu.postgresPct)}%, mariadb ${num(cpu.mariadbPct)}%, other ${num(cpu.otherPct)}%); commit p50 ${num(commit.commit.p50Ms, 2)} ms, max ${num(commit.commit.maxMs, 1)} ms, ${commit.slow} of ${commit.commit.count} over 100 ms`,
      ),
    );
  }
  if (results.errors.length > 0) {
    sections.push(
      '',
      'Scenario errors:',
      ...results.errors.map((e) => `  ${e.scenario}: ${e.error.split('\n')[0]}`),
    );
  }
  if (results.notes.length > 0)
    sections.push('', 'Notes:', ...results.notes.map((note) => `  - ${note}`));
  return sections.join('\n');
}
