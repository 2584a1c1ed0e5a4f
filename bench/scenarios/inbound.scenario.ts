import { BENCH_MODULE_OPTIONS, SATURATE_CONCURRENCY, WORKER_PG_POOL } from '../lib/bench.config';
import type { BenchContext } from '../lib/bench.context';
import type { InboundHostApi, RawClientApi } from '../lib/child.apis';
import { BenchChild } from '../lib/child.handle';
import { processCpuMs } from '../lib/cpu.monitor';
import type { InboundHostConfig } from '../lib/inbound-host.process';
import { BenchServices } from '../lib/services.setup';

/** IN's endpoint secret, in the form Standard Webhooks senders use. */
const INBOUND_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * IN (issue 20): inbound webhooks received, verified, stored and acknowledged. A host process (HTTP
 * server and worker in one, a no-op `@OnInboundWebhook()` handler) on a PostgreSQL schema of its own
 * and the bench's Redis, one `standard-webhooks` endpoint; B-raw's client process posts 1 KiB
 * requests signed by the `standardwebhooks` package, each with its own `webhook-id`, from
 * SATURATE_CONCURRENCY callers for the phase. Then the inbox is counted and the queue left to drain.
 */
export async function runInbound(ctx: BenchContext): Promise<void> {
  const store = await BenchServices.start({ redis: ctx.services.redis });
  let host: BenchChild<InboundHostApi> | undefined;
  let client: BenchChild<RawClientApi> | undefined;
  try {
    const endpoint = await store.createInboundEndpoint(INBOUND_SECRET);
    const config: InboundHostConfig = {
      database: store.childDatabase,
      poolSize: WORKER_PG_POOL,
      asyncCommit: ctx.asyncCommit,
      redisUrl: store.redis.url,
      bullPrefix: store.bullPrefix,
      options: BENCH_MODULE_OPTIONS,
    };
    [host, client] = await Promise.all([
      BenchChild.start<InboundHostApi>('inbound-host', 'bench/lib/inbound-host.process.ts', config),
      BenchChild.start<RawClientApi>('inbound-client', 'bench/lib/raw-client.process.ts', {}),
    ]);
    const url = `${await host.call('origin')}${endpoint.path}`;
    const hostCpuBefore = processCpuMs(host.pid);
    const report = await client.call('run', {
      urls: [url],
      secret: INBOUND_SECRET,
      durationMs: ctx.durations.inboundMs,
      concurrency: SATURATE_CONCURRENCY,
      connectionsPerOrigin: SATURATE_CONCURRENCY,
      signer: 'standardwebhooks',
    });
    const drainStart = performance.now();
    let statuses = await store.inboundStatuses(endpoint.id);
    const stored = () => Object.values(statuses).reduce((sum, count) => sum + count, 0);
    while (
      (statuses.processed ?? 0) < stored() &&
      performance.now() - drainStart < ctx.durations.drainTimeoutMs
    ) {
      await sleep(200);
      statuses = await store.inboundStatuses(endpoint.id);
    }
    const processed = statuses.processed ?? 0;
    const drainMs = processed === stored() ? Math.round(performance.now() - drainStart) : null;
    const raw = ctx.results.baselines.raw;
    const acceptedPerSec = Math.round((report.requests / report.elapsedMs) * 1000 * 10) / 10;
    ctx.results.inbound = {
      senders: SATURATE_CONCURRENCY,
      durationMs: ctx.durations.inboundMs,
      acceptedPerSec,
      vsRaw: raw ? acceptedPerSec / raw.requestsPerSec : null,
      accepted: report.requests,
      errors: report.errors,
      firstError: report.firstError,
      acknowledgement: report.roundTrip,
      stored: stored(),
      processed,
      handlerCalls: await host.call('handlerCalls'),
      drainMs,
      hostCpuMsPerRequest:
        report.requests === 0
          ? null
          : Math.round(((processCpuMs(host.pid) - hostCpuBefore) / report.requests) * 1000) / 1000,
    };
    ctx.log(
      `IN: ${acceptedPerSec} accepted/s, ${report.errors} errors, ${stored()} stored, ${processed} processed${drainMs === null ? ' (NOT drained)' : ` (drained ${drainMs} ms after)`}`,
    );
  } finally {
    await Promise.allSettled([host?.stop(), client?.stop()]);
    await store.close();
  }
}
