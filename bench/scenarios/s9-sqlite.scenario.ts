import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_MODULE_OPTIONS, FAST_PORTS } from '../lib/bench.config';
import {
  listsOnFastPorts,
  measureSaturated,
  producerOf,
  workerCounters,
  type BenchContext,
} from '../lib/bench.context';
import type { SqliteHostApi } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import type { ThroughputResult } from '../lib/results.types';
import type { SqliteHostConfig } from '../lib/sqlite-host.process';

/**
 * S9: S1's saturated run on the embedded SQLite path (better-sqlite3, a temporary file). TypeORM's
 * better-sqlite3 driver is a single connection and the file has one writer, so emitter and worker
 * are ONE process here (worker: true), as in a small single-process deployment; the library queues
 * its transactions one after another on that connection (WebhooksTransactions). Run twice: with
 * SQLite's default rollback journal (as the demo) and with WAL (`enableWAL: true`).
 */
export async function runS9(ctx: BenchContext): Promise<void> {
  await ctx.services.resetState();
  const defaultJournal = await runOnSqlite(ctx, false);
  ctx.results.s9 = { defaultJournal, wal: await runOnSqlite(ctx, true) };
}

async function runOnSqlite(ctx: BenchContext, wal: boolean): Promise<ThroughputResult> {
  const sqlitePath = join(tmpdir(), `bench-${randomBytes(5).toString('hex')}.sqlite`);
  const config: SqliteHostConfig = {
    sqlitePath,
    wal,
    redisUrl: ctx.services.redis.url,
    bullPrefix: `${ctx.services.bullPrefix}_sqlite_${wal ? 'wal' : 'journal'}`,
    options: BENCH_MODULE_OPTIONS,
  };
  const host = await BenchChild.start<SqliteHostApi>(
    `sqlite-host${wal ? '-wal' : ''}`,
    'bench/lib/sqlite-host.process.ts',
    config,
  );
  try {
    const { targets, lists } = listsOnFastPorts(ctx, 's9', FAST_PORTS);
    await host.call('createSubscriptions', { lists: targets });
    const throughput = await measureSaturated(ctx, producerOf(host), lists, ctx.durations.s9Ms);
    throughput.worker = await workerCounters([host]);
    ctx.log(
      `S9 (${wal ? 'WAL' : 'rollback journal'}): ${throughput.deliveriesPerSec} deliveries/s (complete: ${throughput.complete})`,
    );
    return throughput;
  } finally {
    await host.stop();
    for (const suffix of ['', '-journal', '-wal', '-shm']) {
      rmSync(`${sqlitePath}${suffix}`, { force: true });
    }
  }
}
