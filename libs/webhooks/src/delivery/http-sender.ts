import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { withoutNul } from '../common/unstorable-text';
import { BLOCKED_ADDRESS_CODE, UrlGuard } from '../security/url-guard';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import type { AttemptErrorKind } from '../storage/entities/attempt.entity';

export interface OutboundWebhookRequest {
  /** Already checked against the URL policy. */
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface SendOutcome {
  statusCode: number | null;
  durationMs: number;
  errorKind: AttemptErrorKind | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
  /** From a `Retry-After` header, when the receiver sent one. */
  retryAfterMs: number | null;
}

export function parseRetryAfter(
  value: string | string[] | undefined,
  now = Date.now(),
): number | null {
  const header = Array.isArray(value) ? value[0] : value;
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The deadline on a whole exchange passed (see `AnswerCollector`). */
class RequestTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`the request did not end within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

function classifyError(error: unknown): { kind: AttemptErrorKind; message: string } {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  const text = withoutNul(message ?? String(error)).slice(0, 500);
  if (code === BLOCKED_ADDRESS_CODE) return { kind: 'address_blocked', message: text };
  if (
    error instanceof RequestTimeoutError ||
    // Platform and undici aborts come as a name and a code, with no class of ours to check.
    name === 'AbortError' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return { kind: 'timeout', message: text };
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EHOSTUNREACH' ||
    code === 'UND_ERR_SOCKET'
  ) {
    return { kind: 'connection', message: text };
  }
  return { kind: 'network', message: text };
}

/** What an answer was: the status, and at most the first `cap` bytes of the body. */
interface Answer {
  statusCode: number;
  retryAfter: string | string[] | undefined;
  excerpt: string;
}

type Exchange = { answer: Answer } | { error: Error };

/**
 * Collects one answer, with a deadline on the whole exchange that is cleared as soon as it ends.
 * A dispatch handler rather than undici's `request()`: the body stream, abort signal and promise
 * plumbing `request()` builds around each exchange were about 7% of the worker's CPU (bench
 * profile), for answers that are mostly one small chunk read once. `bodyTimeout` is per chunk, so
 * only the deadline bounds a body dripped a byte at a time.
 */
class AnswerCollector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private retryAfter: string | string[] | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly cap: number,
    timeoutMs: number,
    private readonly settle: (exchange: Exchange) => void,
  ) {
    this.timer = setTimeout(() => {
      const reason = new RequestTimeoutError(timeoutMs);
      this.end(reason);
      this.controller?.abort(reason);
    }, timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Its deadline passed while it waited for a connection: it must not be sent now.
    if (this.ended) controller.abort(new Error('the request ended before it was sent'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.statusCode = statusCode;
    this.retryAfter = headers['retry-after'];
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.ended) return;
    const room = this.cap - this.size;
    // A copy, so that the excerpt does not hold on to the whole chunk the socket read.
    this.chunks.push(Buffer.from(chunk.subarray(0, room)));
    this.size += Math.min(chunk.length, room);
    if (this.size < this.cap) return;
    // The rest is let go: the connection is closed rather than drained.
    this.end();
    controller.abort(new Error('the answer was read as far as it is kept'));
  }

  onResponseEnd(): void {
    this.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.end(error);
  }

  private end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.settle(
      error
        ? { error }
        : {
            answer: {
              statusCode: this.statusCode,
              retryAfter: this.retryAfter,
              excerpt: withoutNul(Buffer.concat(this.chunks).toString('utf8')),
            },
          },
    );
  }
}

/** The only place that opens sockets: keep-alive pools per origin, timeouts, capped reads, no redirects. */
@Injectable()
export class HttpSender implements OnApplicationShutdown {
  private readonly agent: Agent;

  constructor(
    @Inject(WEBHOOKS_OPTIONS) private readonly options: ResolvedWebhooksOptions,
    urlGuard: UrlGuard,
  ) {
    this.agent = new Agent({
      connections: options.maxConnectionsPerOrigin,
      keepAliveTimeout: 10_000,
      connect: { timeout: options.connectTimeoutMs, lookup: urlGuard.lookup },
    });
  }

  async send(outbound: OutboundWebhookRequest): Promise<SendOutcome> {
    const started = performance.now();
    const { url } = outbound;
    const exchange = await new Promise<Exchange>((settle) => {
      const collector = new AnswerCollector(
        this.options.maxResponseBodyBytes,
        this.options.requestTimeoutMs,
        settle,
      );
      this.agent.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: outbound.headers,
          body: outbound.body,
          headersTimeout: this.options.requestTimeoutMs,
          bodyTimeout: this.options.requestTimeoutMs,
        },
        collector,
      );
    });
    const durationMs = Math.round(performance.now() - started);
    if ('error' in exchange) {
      const { kind, message } = classifyError(exchange.error);
      return {
        statusCode: null,
        durationMs,
        errorKind: kind,
        errorMessage: message,
        responseExcerpt: null,
        retryAfterMs: null,
      };
    }
    const { answer } = exchange;
    const ok = answer.statusCode >= 200 && answer.statusCode < 300;
    return {
      statusCode: answer.statusCode,
      durationMs,
      errorKind: ok ? null : 'http_status',
      errorMessage: ok ? null : `receiver answered ${answer.statusCode}`,
      responseExcerpt: answer.excerpt,
      retryAfterMs: parseRetryAfter(answer.retryAfter),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
