/**
 * B-raw: undici keep-alive Pools (one per receiver origin) posting signed 1 KiB payloads as fast as
 * `concurrency` callers can. The ceiling for HTTP on this machine, with the same receiver. Also IN's
 * sender: the same loop to one inbound endpoint, signed with the `standardwebhooks` package.
 */
import { Webhook } from 'standardwebhooks';
import { Pool } from 'undici';
import { v7 as uuidv7 } from 'uuid';
import type { RawClientApi, RawReport } from './child.apis';
import { LatencyRecorder, wallClockMs } from './histogram.util';
import { exitSoon, serveRpc, signalReady } from './ipc.rpc';
import { benchData, benchEnvelope, signedHeaders } from './payload.util';

const pools = new Map<string, Pool>();

function poolFor(origin: string, connections: number): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
    pools.set(origin, pool);
  }
  return pool;
}

/** Standard Webhooks headers signed by the `standardwebhooks` package (as Svix and others send). */
function standardHeaders(webhook: Webhook, id: string, body: string): Record<string, string> {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'user-agent': 'bench-inbound',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, at, body),
  };
}

const api: RawClientApi = {
  async run({ urls, secret, durationMs, concurrency, connectionsPerOrigin, signer = 'module' }) {
    const standard = signer === 'standardwebhooks' ? new Webhook(secret) : undefined;
    const sign = (id: string, body: string) =>
      standard ? standardHeaders(standard, id, body) : signedHeaders(secret, id, body);
    const targets = urls.map((url) => {
      const parsed = new URL(url);
      return { pool: poolFor(parsed.origin, connectionsPerOrigin), path: parsed.pathname };
    });
    const roundTrip = new LatencyRecorder();
    const report: RawReport = {
      requests: 0,
      errors: 0,
      firstError: null,
      elapsedMs: 0,
      roundTrip: roundTrip.summary(),
    };
    const started = performance.now();
    const deadline = started + durationMs;
    let next = 0;
    const caller = async () => {
      while (performance.now() < deadline) {
        const seq = next++;
        const target = targets[seq % targets.length];
        const id = uuidv7();
        const body = benchEnvelope(
          id,
          `raw-${seq % targets.length}`,
          benchData(seq, wallClockMs()),
        );
        const sent = performance.now();
        try {
          const response = await target.pool.request({
            path: target.path,
            method: 'POST',
            headers: sign(id, body),
            body,
          });
          await response.body.dump();
          if (response.statusCode >= 300)
            throw new Error(`receiver answered ${response.statusCode}`);
          report.requests++;
          roundTrip.recordMs(performance.now() - sent);
        } catch (error) {
          report.errors++;
          report.firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, caller));
    report.elapsedMs = performance.now() - started;
    report.roundTrip = roundTrip.summary();
    return report;
  },
  shutdown() {
    for (const pool of pools.values()) void pool.destroy();
    exitSoon();
  },
};

serveRpc(api);
signalReady();
