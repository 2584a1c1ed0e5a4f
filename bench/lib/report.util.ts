import type { LatencySummary } from './histogram.util';
import type { BenchResults, S1Result, TargetResult, ThroughputResult } from './results.types';

const num = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (value: number) => `${value.toFixed(2)}×`;
// One decimal: a ratio just under its threshold must not print as the threshold.
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const lat = (l: LatencySummary) =>
  `p50 ${num(l.p50Ms, 1)} / p90 ${num(l.p90Ms, 1)} / p99 ${num(l.p99Ms, 1)} / max ${num(l.maxMs, 1)} ms`;

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

const pass = (ok: boolean): TargetResult['status'] => (ok ? 'PASS' : 'MISS');

/** The targets of issue #5, each judged on figures of this run. */
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

  const s6Target = 'S6 worker RSS ≤ 256 MB and flat';
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
  const { raw, naive, naiveLatency } = results.baselines;
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
  const s1Rows = (id: string, where: string, s1: S1Result, vsS1: number | null = null) => {
    const vs: string[] = [];
    if (s1.ratios.vsNaive !== null) vs.push(`${ratio(s1.ratios.vsNaive)} B-naive`);
    if (s1.ratios.vsRaw !== null) vs.push(`${pct(s1.ratios.vsRaw)} of B-raw`);
    if (vsS1 !== null) vs.push(`${ratio(vsS1)} S1 on PostgreSQL`);
    rows.push([
      id,
      `max sustained, 100 origins${where}`,
      `${num(s1.throughput.deliveriesPerSec)} deliveries/s${rounds(s1.rounds)}${vs.length ? ` (${vs.join(', ')})` : ''}; emit call p50 ${num(s1.throughput.emitCall.p50Ms, 1)} ms; ${completeness(s1.throughput)}${jobs(s1.throughput.worker)}`,
    ]);
    rows.push([id, 'attempts recorded', outcomes(s1.attempts)]);
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
  const profile = results.profile;
  if (profile) {
    rows.push([
      'P',
      'S1 under --cpu-prof',
      `${num(profile.throughput.deliveriesPerSec)} deliveries/s (profiler overhead included)`,
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
${results.workerProcesses} worker process(es) × concurrency 50, pg pool ${results.workerPgPool}; PostgreSQL (synchronous_commit ${results.synchronousCommit ? 'on' : 'OFF'})${mariaDb} + private redis-server; children run as ${results.childrenRunAs}`;
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
