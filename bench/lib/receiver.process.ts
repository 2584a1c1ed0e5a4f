/**
 * The webhook receiver of the bench, in its own process: plain node:http servers on 127.0.0.1, one
 * per port. `fast` ports answer 204 as soon as the body is in; `hang` ports never answer (the
 * sender's timeout ends the request). For each request it records the `webhook-id` and the latency
 * emit → receive from `data.emittedAt`, and reports counts to the parent over IPC.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenForBodies } from '../../test/support/receiver';
import {
  TIMELINE_BUCKET_MS,
  type ClassStats,
  type PortClass,
  type ReceiverApi,
  type ReceiverProgress,
} from './child.apis';
import { LatencyRecorder, wallClockMs } from './histogram.util';
import { emitToParent, serveRpc, signalReady } from './ipc.rpc';
import { readEmittedAt } from './payload.util';

const PROGRESS_EVERY_MS = 50;

class ClassRecorder {
  requests = 0;
  duplicates = 0;
  firstMs: number | null = null;
  lastMs: number | null = null;
  /** First arrival of each id, epoch ms. */
  readonly ids = new Map<string, number>();
  readonly latency = new LatencyRecorder();
  timeline: number[] = [];

  reset(): void {
    this.requests = 0;
    this.duplicates = 0;
    this.firstMs = null;
    this.lastMs = null;
    this.ids.clear();
    this.latency.reset();
    this.timeline = [];
  }

  /** Returns false when the id was already seen. */
  record(id: string, arrivalMs: number, sinceResetMs: number, latencyMs: number): boolean {
    this.requests++;
    if (this.ids.has(id)) {
      this.duplicates++;
      return false;
    }
    this.ids.set(id, arrivalMs);
    if (this.firstMs === null) this.firstMs = sinceResetMs;
    this.lastMs = sinceResetMs;
    if (Number.isFinite(latencyMs)) this.latency.recordMs(latencyMs);
    const bucket = Math.max(0, Math.floor(sinceResetMs / TIMELINE_BUCKET_MS));
    while (this.timeline.length <= bucket) this.timeline.push(0);
    this.timeline[bucket]++;
    return true;
  }

  stats(): ClassStats {
    return {
      requests: this.requests,
      unique: this.ids.size,
      duplicates: this.duplicates,
      firstMs: this.firstMs,
      lastMs: this.lastMs,
      latency: this.latency.summary(),
      timeline: [...this.timeline],
    };
  }
}

const recorders: Record<PortClass, ClassRecorder> = {
  fast: new ClassRecorder(),
  hang: new ClassRecorder(),
};
const servers: Server[] = [];
let resetAtWallMs = wallClockMs();
let missingTimestamps = 0;
let lastProgress: ReceiverProgress = { fast: -1, hang: -1 };

function handle(
  portClass: PortClass,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
): void {
  const now = wallClockMs();
  const emittedAt = readEmittedAt(body.toString());
  if (Number.isNaN(emittedAt)) missingTimestamps++;
  const idHeader = request.headers['webhook-id'];
  const id = typeof idHeader === 'string' ? idHeader : `missing-${now}`;
  recorders[portClass].record(id, now, now - resetAtWallMs, now - emittedAt);
  // A hanging port never answers: the sender's timeout ends the request.
  if (portClass === 'fast') response.writeHead(204).end();
}

async function listenOn(portClass: PortClass): Promise<number> {
  const server = await listenForBodies((request, body, response) =>
    handle(portClass, request, body, response),
  );
  // Idle keep-alive sockets stay open between phases, so senders never race a server-side close.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

function progress(): void {
  const current = { fast: recorders.fast.ids.size, hang: recorders.hang.ids.size };
  if (current.fast === lastProgress.fast && current.hang === lastProgress.hang) return;
  lastProgress = current;
  emitToParent('progress', current);
}

const api: ReceiverApi = {
  async listen({ fast, hang }) {
    const fastPorts: number[] = [];
    const hangPorts: number[] = [];
    for (let i = 0; i < fast; i++) fastPorts.push(await listenOn('fast'));
    for (let i = 0; i < hang; i++) hangPorts.push(await listenOn('hang'));
    return { fast: fastPorts, hang: hangPorts };
  },
  reset() {
    recorders.fast.reset();
    recorders.hang.reset();
    missingTimestamps = 0;
    // Hanging requests stay open: the sender's own timeout ends them, as it would in production.
    resetAtWallMs = wallClockMs();
    lastProgress = { fast: -1, hang: -1 };
    return { resetAtWallMs };
  },
  stats() {
    return {
      resetAtWallMs,
      fast: recorders.fast.stats(),
      hang: recorders.hang.stats(),
      missingTimestamps,
    };
  },
  fastArrivals() {
    return [...recorders.fast.ids];
  },
  shutdown() {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    setTimeout(() => process.exit(0), 50);
  },
};

serveRpc(api);
setInterval(progress, PROGRESS_EVERY_MS).unref();
signalReady();
