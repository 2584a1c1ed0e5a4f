import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UrlGuard } from '../security/url-guard';
import { resolveWebhooksOptions } from '../webhooks.options';
import { HttpSender } from './http-sender';

const TIMEOUT_MS = 400;

describe('HttpSender', () => {
  let server: Server;
  let url: URL;
  let handler: RequestListener = (_req, res) => res.end('ok');
  let sender: HttpSender;

  beforeAll(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?from=spec`);
    const options = resolveWebhooksOptions({
      security: { allowPrivateNetworks: true },
      delivery: { requestTimeoutMs: TIMEOUT_MS },
    });
    sender = new HttpSender(options, new UrlGuard(options));
  });
  afterAll(async () => {
    await sender.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = () => sender.send({ url, headers: { 'content-type': 'text/plain' }, body: 'hi' });

  it('reports the answer of a receiver that answers in time', async () => {
    let received: { method?: string; url?: string; body: string } | undefined;
    handler = (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received = { method: req.method, url: req.url, body };
        res.writeHead(202, { 'retry-after': '7' }).end('accepted');
      });
    };
    await expect(send()).resolves.toMatchObject({
      statusCode: 202,
      errorKind: null,
      responseExcerpt: 'accepted',
      retryAfterMs: 7_000,
    });
    expect(received).toEqual({ method: 'POST', url: '/hook?from=spec', body: 'hi' });
  });

  it('keeps the first maxResponseBodyBytes of a long answer, however it is chunked', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      for (let chunk = 0; chunk < 10; chunk++) res.write(String(chunk).repeat(1_000));
      res.end();
    };
    const { responseExcerpt, errorKind } = await send();
    expect(errorKind).toBeNull();
    expect(responseExcerpt).toHaveLength(4_096);
    expect(responseExcerpt).toBe(
      Array.from({ length: 10 }, (_, chunk) => String(chunk).repeat(1_000))
        .join('')
        .slice(0, 4_096),
    );
  });

  it('gives up on a receiver that never answers once requestTimeoutMs has passed', async () => {
    handler = () => undefined;
    const outcome = await send();
    expect(outcome).toMatchObject({ statusCode: null, errorKind: 'timeout' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(outcome.durationMs).toBeLessThan(TIMEOUT_MS + 300);
  });

  it('bounds the whole exchange: a body dripped a byte at a time cannot outlast the timeout', async () => {
    // Each chunk arrives well within the per-chunk body timeout; only a deadline on the whole
    // request ends this one.
    handler = (_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write('.'), TIMEOUT_MS / 4);
      res.on('close', () => clearInterval(drip));
    };
    const outcome = await send();
    expect(outcome).toMatchObject({ statusCode: null, errorKind: 'timeout' });
    expect(outcome.errorMessage).toContain(`${TIMEOUT_MS} ms`);
    expect(outcome.durationMs).toBeLessThan(TIMEOUT_MS + 300);
  });

  it('never sends a request whose deadline passed while it waited for a connection', async () => {
    const options = resolveWebhooksOptions({
      security: { allowPrivateNetworks: true },
      delivery: { requestTimeoutMs: TIMEOUT_MS, maxConnectionsPerOrigin: 1 },
    });
    const oneSocket = new HttpSender(options, new UrlGuard(options));
    const createdAt = new Map<string, number>();
    const arrived: Array<{ name: string; afterMs: number }> = [];
    handler = (req, res) => {
      const name = String(req.headers['x-request']);
      arrived.push({ name, afterMs: performance.now() - (createdAt.get(name) ?? 0) });
      if (name === 'probe') res.end('ok');
    };
    const sendNamed = (name: string) => {
      createdAt.set(name, performance.now());
      return oneSocket.send({ url, headers: { 'x-request': name }, body: name });
    };
    try {
      const outcomes = await Promise.all(['first', 'queued'].map(sendNamed));
      expect(outcomes.map((outcome) => outcome.errorKind)).toEqual(['timeout', 'timeout']);
      // The probe queues behind both on the only connection: its arrival shows the queued one's
      // turn came. The queued one may have gone only if its own deadline (a little later than the
      // first's: it was created after it) had not passed when the first one's socket came free.
      expect(await sendNamed('probe')).toMatchObject({ statusCode: 200, errorKind: null });
      expect(arrived.map(({ name }) => name).filter((name) => name !== 'queued')).toEqual([
        'first',
        'probe',
      ]);
      for (const { name, afterMs } of arrived) {
        if (name === 'queued') expect(afterMs).toBeLessThan(TIMEOUT_MS);
      }
    } finally {
      await oneSocket.onApplicationShutdown();
    }
  });

  it('reports a refused connection as a connection error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await sender.send({
      url: new URL(`http://127.0.0.1:${port}/hook`),
      headers: {},
      body: 'hi',
    });
    expect(outcome).toMatchObject({
      statusCode: null,
      errorKind: 'connection',
      responseExcerpt: null,
    });
  });

  it('clears its deadline once a request has ended', async () => {
    handler = (_req, res) => res.end('ok');
    const timers = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    await send();
    const before = timers();
    await Promise.all(Array.from({ length: 20 }, () => send()));
    // Twenty deadlines left behind would show as twenty more timers; a few may belong to others
    // (the HTTP client's own keep-alive timers, other code in this worker).
    expect(timers()).toBeLessThan(before + 5);
  });
});
