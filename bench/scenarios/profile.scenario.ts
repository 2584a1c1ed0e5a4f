import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FAST_PORTS } from '../lib/bench.config';
import {
  PROFILE_DIR,
  emitterConfig,
  listsOnFastPorts,
  measureSaturated,
  producerOf,
  startModuleWorkers,
  stopAll,
  workerCounters,
  type BenchContext,
} from '../lib/bench.context';
import type { EmitterApi, QueryStat } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import { processCpuMs } from '../lib/cpu.monitor';
import { formatProfileSummary, summarizeCpuProfile } from '../lib/cpu-profile.analysis';
import type { ProfileResult } from '../lib/results.types';

/**
 * P: S1's saturated run once more, with the worker (and a dedicated emitter) under `--cpu-prof`,
 * every SQL statement of the worker counted and timed, and Redis commands counted (INFO
 * commandstats of the private server). Slower than S1 by the profiler's overhead: not a figure to
 * compare, a map of where the time goes.
 */
export async function runProfile(ctx: BenchContext): Promise<void> {
  await ctx.services.resetState();
  const { targets, lists } = listsOnFastPorts(ctx, 'p', FAST_PORTS);
  await ctx.services.createSubscriptions(targets);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const emitter = await BenchChild.start<EmitterApi>(
    'profiled-emitter',
    'bench/lib/emitter.process.ts',
    emitterConfig(ctx),
    {
      nodeFlags: [
        '--cpu-prof',
        `--cpu-prof-dir=${PROFILE_DIR}`,
        `--cpu-prof-name=emitter-${stamp}.cpuprofile`,
      ],
    },
  );
  const workers = await startModuleWorkers(ctx, 'profile', {
    detailed: true,
    cpuProfileName: `worker-${stamp}`,
  });
  let result: ProfileResult;
  const cpuAtExit: number[] = [];
  try {
    await ctx.services.resetRedisStats();
    const throughput = await measureSaturated(
      ctx,
      producerOf(emitter),
      lists,
      ctx.durations.s1ThroughputMs,
      { workers },
    );
    const reports = await Promise.all(workers.map((worker) => worker.call('instrumentation')));
    throughput.worker = await workerCounters(workers);
    const commands = await ctx.services.redisCommandStats();
    const delivered = Math.max(1, throughput.delivered);
    const queries = new Map<string, QueryStat>();
    for (const report of reports) {
      for (const stat of report.queries) {
        const sum = queries.get(stat.sql) ?? { sql: stat.sql, count: 0, totalMs: 0 };
        sum.count += stat.count;
        sum.totalMs += stat.totalMs;
        queries.set(stat.sql, sum);
      }
    }
    const per = (value: number) => Math.round((value / delivered) * 100) / 100;
    result = {
      throughput,
      profiles: [],
      queriesPerDelivery: [...queries.values()]
        .sort((a, b) => b.count - a.count)
        .map((stat) => ({
          sql: stat.sql.length > 160 ? `${stat.sql.slice(0, 157)}...` : stat.sql,
          perDelivery: per(stat.count),
          meanMs: Math.round((stat.totalMs / stat.count) * 100) / 100,
        })),
      redisCommandsPerDelivery: Object.fromEntries(
        Object.entries(commands)
          .filter(([name]) => !['info', 'config'].includes(name))
          .sort((a, b) => b[1] - a[1])
          .map(([name, calls]) => [name, per(calls)]),
      ),
      pool: reports[0]?.pool ?? null,
    };
  } finally {
    cpuAtExit.push(...workers.map((worker) => processCpuMs(worker.pid)), processCpuMs(emitter.pid));
    await stopAll([...workers, emitter]);
  }
  const files = [
    ...workers.map((_worker, index) => ({
      process: `worker-${index + 1}`,
      file: join(PROFILE_DIR, `worker-${stamp}-${index + 1}.cpuprofile`),
    })),
    { process: 'emitter', file: join(PROFILE_DIR, `emitter-${stamp}.cpuprofile`) },
  ];
  for (const [index, { process: name, file }] of files.entries()) {
    if (!existsSync(file)) {
      ctx.log(`profile ${file} was not written`);
      continue;
    }
    const summary = summarizeCpuProfile(file);
    const cpuMs = Math.round(cpuAtExit[index] ?? 0);
    const sampledBusyMs = Math.round(summary.totalMs * (1 - summary.idlePct / 100));
    result.profiles.push({ process: name, file, cpuMs, sampledBusyMs, summary });
    ctx.log(
      `${formatProfileSummary(`${name} (${file})`, summary)}\n  CPU actually used (from /proc): ${cpuMs} ms of ${sampledBusyMs} ms sampled busy: the rest was runnable but waiting for a core (often inside a syscall that woke another process)`,
    );
  }
  ctx.results.profile = result;
}
