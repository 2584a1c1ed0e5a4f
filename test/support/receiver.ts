import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

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
  private waiters: Array<() => void> = [];
  private host = '127.0.0.1';

  private constructor(private readonly server: Server) {}

  static async start(host = '127.0.0.1', port = 0): Promise<TestReceiver> {
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const received: ReceivedRequest = {
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
        };
        receiver.requests.push(received);
        receiver.responder(received, response);
        receiver.waiters.forEach((wake) => wake());
      });
    });
    const receiver = new TestReceiver(server);
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    receiver.host = host;
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
    const deadline = Date.now() + timeoutMs;
    while (this.received(path).length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `expected ${count} requests${path ? ` to ${path}` : ''}, got ${this.received(path).length}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 100));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
    return this.received(path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
