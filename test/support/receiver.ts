import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Wakeups } from './eventually';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export type Responder = (request: ReceivedRequest, response: ServerResponse) => void;

/** A real HTTP server on loopback that records every request it gets. */
export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private responder: Responder = (_request, response) => response.writeHead(204).end();
  private readonly arrivals = new Wakeups();
  private server!: Server;

  private constructor(private readonly host: string) {}

  static async start(host = '127.0.0.1', port = 0): Promise<TestReceiver> {
    const receiver = new TestReceiver(host);
    receiver.server = await listenForBodies(
      (request, body, response) => {
        const received: ReceivedRequest = {
          path: request.url ?? '/',
          headers: request.headers,
          body: body.toString('utf8'),
          receivedAt: Date.now(),
        };
        receiver.requests.push(received);
        receiver.responder(received, response);
        receiver.arrivals.wake();
      },
      { host, port },
    );
    return receiver;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://${this.host}:${this.port}${path}`;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** Distinct `webhook-id`s received, and how many requests repeated one. */
  uniqueIds(path?: string): { unique: number; duplicates: number } {
    const requests = this.received(path);
    const ids = new Set(requests.map((request) => String(request.headers['webhook-id'])));
    return { unique: ids.size, duplicates: requests.length - ids.size };
  }

  received(path?: string): ReceivedRequest[] {
    return path === undefined
      ? this.requests
      : this.requests.filter((request) => request.path === path);
  }

  /** Resolves once `count` requests (to `path`, if given) have arrived; rejects after `timeoutMs`. */
  async waitFor(
    count: number,
    { path, timeoutMs = 10_000 }: { path?: string; timeoutMs?: number } = {},
  ) {
    const arrived = () => this.received(path).length >= count;
    if (!(await this.arrivals.until(arrived, timeoutMs, 100))) {
      throw new Error(
        `expected ${count} requests${path ? ` to ${path}` : ''}, got ${this.received(path).length}`,
      );
    }
    return this.received(path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An HTTP server on `host:port` (default: loopback, a free port) handing over each request with its whole body. */
export async function listenForBodies(
  onBody: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void,
  { host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {},
): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () =>
      onBody(request, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), response),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return server;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
