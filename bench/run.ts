/**
 * `npm run bench [-- --quick] [--only S1,S2,...] [--no-profile] [--workers N] [--worker-pool N]
 *   [--worker-heap-mb N] [--async-commit] [--swc]`
 *
 * Measures the module side by side with three baselines in ONE run, on this machine: a receiver
 * process, the module's worker process(es), an emitter process, real PostgreSQL (a fresh schema,
 * dropped at the end; S1-pruned's, S1-filtered's, S1-ordered's, S1-local's and S3's stores another each), MariaDB for S1-mariadb (a fresh
 * database, likewise) and a private redis-server (stopped at the end). Prints tables and writes
 * bench/results/latest.json. Scenario ids: Braw, Bnaive, Bpersisted, S1, S1-mariadb, S1-pruned,
 * S1-filtered, S1-ordered, S1-local, S2, S3, S6, S9, IN, P, H (P = S1 profiled; IN = inbound webhooks
 * received; H = S1's latency broken into hops from its spans).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_MODULE_OPTIONS,
  FAST_PORTS,
  FULL,
  HANG_PORTS,
  PRUNED_RETENTION,
  QUICK,
  WORKER_PG_POOL,
} from './lib/bench.config';
import { emitterConfig, type BenchContext } from './lib/bench.context';
import type { EmitterApi } from './lib/child.apis';
import { compileChildSources, removeCompiledSources } from './lib/child.build';
import {
  BenchChild,
  REPO_ROOT,
  killAllChildrenNow,
  liveChildren,
  runChildrenFrom,
} from './lib/child.handle';
import { CommitProbe } from './lib/commit.probe';
import { CpuMonitor } from './lib/cpu.monitor';
import { PersistedStore } from './lib/persisted.store';
import { ReceiverHandle } from './lib/receiver.handle';
import { formatReport } from './lib/report.util';
import { evaluateTargets } from './lib/targets.util';
import type { BenchResults, MachineInfo } from './lib/results.types';
import { BenchServices } from './lib/services.setup';
import { runInbound } from './scenarios/inbound.scenario';
import { runProfile } from './scenarios/profile.scenario';
import { runS1Hops } from './scenarios/s1-hops.scenario';
import { S1_FILTER } from './scenarios/s1-filtered.scenario';
import { S1_ORDERING_KEYS } from './scenarios/s1-ordered.scenario';
import { runS2 } from './scenarios/s2-fanout.scenario';
import { runS6 } from './scenarios/s6-memory.scenario';
import { runS9 } from './scenarios/s9-sqlite.scenario';
import { runSideBySide } from './scenarios/side-by-side.scenario';

type ScenarioId =
  | 'Braw'
  | 'Bnaive'
  | 'Bpersisted'
  | 'S1'
  | 'S1-mariadb'
  | 'S1-pruned'
  | 'S1-filtered'
  | 'S1-ordered'
  | 'S1-local'
  | 'S2'
  | 'S3'
  | 'S6'
  | 'S9'
  | 'IN'
  | 'P'
  | 'H';

interface Step {
  ids: ScenarioId[];
  title: string;
  run: (ctx: BenchContext, selected: ReadonlySet<ScenarioId>) => Promise<void>;
}

/** Run order: S1 (with the baselines) first: S3 and S6 take their rate from S1's maximum. */
const STEPS: readonly Step[] = [
  {
    ids: [
      'Braw',
      'Bnaive',
      'Bpersisted',
      'S1',
      'S1-mariadb',
      'S1-pruned',
      'S1-filtered',
      'S1-ordered',
      'S1-local',
      'S3',
    ],
    title:
      'B-raw, B-naive, B-persisted, S1, S1-mariadb, S1-pruned, S1-filtered, S1-ordered and S1-local side by side, S1 latency at half its maximum; then S3',
    run: (ctx, selected) =>
      runSideBySide(ctx, {
        raw: selected.has('Braw'),
        naive: selected.has('Bnaive'),
        persisted: selected.has('Bpersisted'),
        s1: selected.has('S1'),
        s1Mariadb: selected.has('S1-mariadb'),
        s1Pruned: selected.has('S1-pruned'),
        s1Filtered: selected.has('S1-filtered'),
        s1Ordered: selected.has('S1-ordered'),
        s1Local: selected.has('S1-local'),
        s3: selected.has('S3'),
      }),
  },
  { ids: ['S2'], title: 'S2: fan-out to many subscriptions', run: runS2 },
  { ids: ['S6'], title: 'S6: memory over a sustained run', run: runS6 },
  { ids: ['S9'], title: 'S9: SQLite, one process', run: runS9 },
  { ids: ['IN'], title: 'IN: inbound webhooks received, verified, stored', run: runInbound },
  { ids: ['P'], title: 'P: S1 with the worker under --cpu-prof', run: runProfile },
  { ids: ['H'], title: "H: S1's hops from its spans", run: runS1Hops },
];
const ALL_IDS: readonly ScenarioId[] = STEPS.flatMap((step) => step.ids);
const DEFAULT_RUN: readonly ScenarioId[] = [
  'Braw',
  'S1',
  'Bnaive',
  'Bpersisted',
  'S1-mariadb',
  'S1-pruned',
  'S1-filtered',
  'S1-ordered',
  'S1-local',
  'S3',
  'S2',
  'S6',
  'S9',
  'IN',
  'P',
  'H',
];

interface Cli {
  quick: boolean;
  only: ScenarioId[];
  workers: number;
  /** Run children's .ts with swc-node (as the e2e tests do) instead of compiled JS. */
  swc: boolean;
  /** synchronous_commit=off for the module's PostgreSQL sessions (takes the disk's fsync out; not MariaDB's). */
  asyncCommit: boolean;
  /** pg pool size of each module worker process. */
  workerPool: number;
  /** V8's old-space limit of each module worker process (`--max-old-space-size`); null: Node's default. */
  workerHeapMb: number | null;
}

function parseCli(argv: readonly string[]): Cli {
  const cli: Cli = {
    quick: false,
    only: [...DEFAULT_RUN],
    workers: 1,
    swc: false,
    asyncCommit: false,
    workerPool: WORKER_PG_POOL,
    workerHeapMb: null,
  };
  const ids = ALL_IDS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') cli.quick = true;
    else if (arg === '--swc') cli.swc = true;
    else if (arg === '--async-commit') cli.asyncCommit = true;
    else if (arg === '--worker-pool') {
      cli.workerPool = Number(argv[++i]);
      if (!Number.isInteger(cli.workerPool) || cli.workerPool < 1 || cli.workerPool > 90) {
        throw new Error('--worker-pool takes 1 to 90');
      }
    } else if (arg === '--worker-heap-mb') {
      cli.workerHeapMb = Number(argv[++i]);
      if (!Number.isInteger(cli.workerHeapMb) || cli.workerHeapMb < 64) {
        throw new Error('--worker-heap-mb takes a whole number of MB, at least 64');
      }
    } else if (arg === '--profile') cli.only = [...new Set([...cli.only, 'P' as const])];
    else if (arg === '--no-profile') cli.only = cli.only.filter((id) => id !== 'P');
    else if (arg === '--only') {
      const wanted = (argv[++i] ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean);
      const unknown = wanted.filter((id) => !ids.includes(id as ScenarioId));
      if (unknown.length > 0)
        throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${ids.join(', ')})`);
      cli.only = wanted as ScenarioId[];
    } else if (arg === '--workers') {
      cli.workers = Number(argv[++i]);
      if (!Number.isInteger(cli.workers) || cli.workers < 1 || cli.workers > 8)
        throw new Error('--workers takes 1 to 8');
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--quick] [--only Braw,S1,Bnaive,Bpersisted,S1-mariadb,S1-pruned,S1-filtered,S1-ordered,S1-local,S3,S2,S6,S9,IN,P,H] [--no-profile] [--workers N] [--swc] [--async-commit] [--worker-pool N] [--worker-heap-mb N]\n',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return cli;
}

function machineInfo(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

const log = (message: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

let cleanup: (() => Promise<void>) | undefined;
let cleaning: Promise<void> | undefined;

function runCleanup(): Promise<void> {
  cleaning ??= (cleanup ? cleanup() : Promise.resolve()).catch((error: unknown) => {
    process.stderr.write(`cleanup failed: ${String(error)}\n`);
  });
  return cleaning;
}

/** The whole run stops by itself after this long, whatever hangs. */
const RUN_LIMIT_MS = { quick: 5 * 60_000, full: 20 * 60_000 };

function onSignal(signal: NodeJS.Signals | 'time limit'): void {
  process.stderr.write(
    `\n${signal}: stopping every child process and dropping the bench schema…\n`,
  );
  const hardStop = setTimeout(() => {
    killAllChildrenNow();
    process.exit(130);
  }, 15_000);
  hardStop.unref();
  void runCleanup().finally(() => process.exit(130));
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllChildrenNow);
  setTimeout(
    () => onSignal('time limit'),
    cli.quick ? RUN_LIMIT_MS.quick : RUN_LIMIT_MS.full,
  ).unref();

  const durations = cli.quick ? QUICK : FULL;
  const results: BenchResults = {
    machine: machineInfo(),
    mode: cli.quick ? 'quick' : 'full',
    workerProcesses: cli.workers,
    workerPgPool: cli.workerPool,
    workerHeapMb: cli.workerHeapMb,
    childrenRunAs: cli.swc ? 'TypeScript via swc-node' : 'JavaScript compiled by swc',
    synchronousCommit: !cli.asyncCommit,
    durations,
    moduleOptions: {
      ...BENCH_MODULE_OPTIONS,
      keptAtLibraryDefault: [
        'maxInFlightPerOrigin',
        'maxConnectionsPerOrigin',
        'connectTimeoutMs',
        'relayIntervalMs',
        'retryJitter',
        'queue lockDuration / stalledInterval',
      ],
    },
    notes: [
      "Every process (receiver, emitter, workers, PostgreSQL, Redis) shares this machine's cores: figures are system throughput on it, not the worker alone. The environment table says how much CPU anything else used meanwhile.",
      'B-raw, B-naive, B-persisted, S1, S1-mariadb, S1-pruned, S1-filtered, S1-ordered and S1-local alternate in rounds (all their processes up at once); figures are median rounds, ratios medians of per-round ratios. S3 runs right after, each of its rounds a fresh outage on a store of its own (schema, emitter, worker), right after an S1 round of the same length; no S3 process runs during those S1 rounds (once endpoints have hung, a worker keeps loading, parking and leasing their deliveries for minutes).',
      'Latency = data.emittedAt (set by the emitter; in open-loop runs the scheduled time, so a late emitter counts) → arrival of the body at the receiver; both clocks are performance.timeOrigin + performance.now() on this machine.',
      'Each subscription has its own receiver origin (100 ports), so maxInFlightPerOrigin keeps its default of 5.',
      "B-persisted is what a Nest user writes by hand for a delivery log, on a PostgreSQL schema of its own (tables from its own entities, synchronize: true) and a Bull prefix of its own on the same Redis: per event, one TypeORM transaction saves the event row and a pending delivery row per subscription of the list (repository save), then one Bull job per delivery (job data = its id, B-naive's attempts and backoff); its processor (B-naive's concurrency) loads the delivery with its event and subscription (findOne with relations), signs and POSTs as B-naive, saves an attempt row and updates the delivery. Its producer has the emitter's pool size, its workers the module worker's; rounds of S1's length, latency at half its own maximum; --async-commit applies to its sessions too.",
      "S1-mariadb is S1 on a MariaDB store of its own (database, Bull prefix, emitter and worker; the same Redis, receiver origins and pool sizes), its latency at half its own maximum. --async-commit and the commit probe are PostgreSQL's only.",
      `S1-pruned is S1 on a PostgreSQL schema of its own (emitter and worker likewise; the same Redis, receiver origins and pool sizes) whose worker prunes the history as it delivers (retention ${JSON.stringify(PRUNED_RETENTION)}, batchSize at its default): its ratio to S1 of the same round is issue 18's "pruning never slows the hot path". Each of its rounds is followed by a count of the history left in its schema (what pruning had deleted by then), and a wait until pruning has emptied it, so that deleting the round's tail does not fall in the next side's round. Its latency is at half its own maximum.`,
      `S1-filtered is S1 on a PostgreSQL schema of its own (emitter and worker likewise; the same Redis, receiver origins and pool sizes) with, beside each list's subscription, a second one on the same event type whose content filter never matches the bench's data (${JSON.stringify(S1_FILTER)}): every event's fan-out evaluates a filter (jsonb_path_match in the outbox's statement), deliveries per event stay one. Its ratio to S1 of the same round is issue 21's "filtering must not cost the emit path"; its schema is counted after setup (subscriptions with a filter and its SQL/JSON path) and after its last run (deliveries per kind of subscription). Its latency is at half its own maximum.`,
      `S1-ordered is S1 on a PostgreSQL schema of its own (emitter and worker likewise; the same Redis, receiver origins, lists, subscriptions and pool sizes) whose emitter passes an ordering key with every event: event number seq gets the key contact-(seq mod ${S1_ORDERING_KEYS}), as a host keys a contact's events by its id, so each subscription sees ${S1_ORDERING_KEYS / 100} keys, each once every ${S1_ORDERING_KEYS} events, never two of a key in flight at once. Every delivery pays ordering's cost (its turn asked (with its load, or instead of it for a fresh first attempt), a claim and a look for waiters in Redis per delivery) without waiting behind an earlier one. Its ratio to S1 of the same round is issue 22's "ordering must not cost the unordered path"; its schema is counted after its last run, once nothing is pending (deliveries with an ordering key, distinct keys, deliveries by status). Its latency is at half its own maximum.`,
      "S1-local is S1 on a PostgreSQL schema of its own (worker process likewise; the same Redis, receiver origins, lists, subscriptions and pool sizes) whose emitter process is a worker too, as a host that emits and delivers in one process: it runs the first attempts of its own emits right after they commit, without a Bull job (delivery.localFirstAttempts, the module's default, up to its concurrency of 50); the rest, retries and relayed deliveries go through Bull to both processes. Its 'producer' CPU per delivery therefore includes the deliveries it made. The proof the path was used: Bull jobs added to its delivery queue (Bull's job-id counter in Redis) per delivery in its schema, over its saturated rounds and over its latency run, beside S1's (S1 hands first attempts to Bull up to 50 to a job). Its latency is at half its own maximum; it has no target, its row compares it with S1.",
      'CPU/delivery = user + system CPU time of the producer process and of the worker processes (from /proc) over the run, drain included, divided by deliveries.',
      'IN posts 1 KiB Standard Webhooks requests (signed by the standardwebhooks package, each with its own webhook-id) from 64 callers to one inbound endpoint of a host process that receives and processes them (worker on, a no-op handler), on a PostgreSQL schema of its own and the same Redis. Accepted = 2xx; acknowledgement = request start → response end at the sender; its ratio is to the median B-raw round of this run.',
      "S9 runs emitter and worker in ONE process: TypeORM's better-sqlite3 driver has one connection and a SQLite file one writer; the library queues its transactions on it one after another (WebhooksTransactions).",
      cli.swc
        ? 'Children ran as TypeScript through swc-node (which alone adds ~70 MB RSS per process).'
        : 'Children ran as JavaScript compiled by swc into a temporary directory (no in-process compiler: RSS figures are what a deployed host would see).',
    ],
    baselines: {},
    environment: {},
    targets: [],
    errors: [],
  };

  log(
    `${results.mode} run of ${cli.only.join(', ')}; ${results.machine.cpuModel}, ${results.machine.cores} cores, load ${results.machine.loadAverageAtStart.join(' ')}`,
  );
  let compiled: string | undefined;
  let services: BenchServices | undefined;
  let probe: CommitProbe | undefined;
  let receiver: ReceiverHandle | undefined;
  let emitter: BenchChild<EmitterApi> | undefined;
  cleanup = async () => {
    await Promise.allSettled([emitter?.stop(5_000), receiver?.stop(), probe?.stop()]);
    // Workers of an interrupted scenario; Redis goes last, with the schema, in services.close().
    for (const managed of liveChildren()) {
      if (managed.name !== 'redis-server') managed.child.kill('SIGKILL');
    }
    // Stores of a scenario first (they share the main one's Redis), then the main one.
    await PersistedStore.closeAll();
    for (const store of BenchServices.openInstances()) if (store !== services) await store.close();
    if (services) await services.close();
    killAllChildrenNow();
    if (compiled) removeCompiledSources(compiled);
  };

  try {
    if (!cli.swc) {
      compiled = await compileChildSources(REPO_ROOT);
      runChildrenFrom(compiled);
      log(`child sources compiled with swc into ${compiled}`);
    }
    [services, receiver] = await Promise.all([
      BenchServices.start(),
      ReceiverHandle.start(FAST_PORTS, HANG_PORTS),
    ]);
    probe = await CommitProbe.start(services.name);
    const cpu = new CpuMonitor();
    log(
      `schema ${services.name}, redis-server on ${services.redis.port}, receiver on ${FAST_PORTS}+${HANG_PORTS} ports`,
    );
    const ready = { services, receiver, asyncCommit: cli.asyncCommit };
    let emitterStart: Promise<BenchChild<EmitterApi>> | undefined;
    const ctx: BenchContext = {
      durations,
      services: ready.services,
      receiver: ready.receiver,
      workerProcesses: cli.workers,
      workerPool: cli.workerPool,
      workerHeapMb: cli.workerHeapMb,
      asyncCommit: cli.asyncCommit,
      results,
      emitter: () => {
        emitterStart ??= BenchChild.start<EmitterApi>(
          'emitter',
          'bench/lib/emitter.process.ts',
          emitterConfig(ready),
        ).then((child) => (emitter = child));
        return emitterStart;
      },
      log,
    };
    const selected = new Set(cli.only);
    for (const { ids, title, run } of STEPS) {
      if (!ids.some((one) => selected.has(one))) continue;
      const id = ids.filter((one) => selected.has(one)).join('+');
      log(`${title}…`);
      const started = performance.now();
      probe.take();
      cpu.take();
      try {
        await run(ctx, selected);
      } catch (error) {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        results.errors.push({ scenario: id, error: text });
        log(`${id} failed: ${text}`);
      }
      const commit = probe.take();
      const share = cpu.take();
      results.environment[id] = { commit, cpu: share };
      log(
        `${id} took ${Math.round((performance.now() - started) / 1000)} s; CPU busy ${share.busyPct}% (bench ${share.benchPct}%, postgres ${share.postgresPct}%, mariadb ${share.mariadbPct}%, other ${share.otherPct}%); PG commit probe p50 ${commit.commit.p50Ms} ms, max ${commit.commit.maxMs} ms`,
      );
    }
  } finally {
    await runCleanup();
  }

  results.targets = evaluateTargets(results);
  const outputDir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(outputDir, { recursive: true });
  const file = join(outputDir, 'latest.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${formatReport(results)}\n\nResults written to ${file}\n`);
  if (results.errors.length > 0) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  await runCleanup();
  process.exit(1);
});
