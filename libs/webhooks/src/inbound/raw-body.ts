import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The receiving route's path, whatever prefix it is mounted under. */
const RECEIVING_PATH = /\/webhooks\/in\/[A-Za-z0-9_-]{16,64}\/?$/;
/** Set on a request whose body was over the limit (and was drained, not kept). */
const TOO_LARGE = Symbol('webhooks:inbound-body-too-large');

/** A request as the receiving route gets it: Express or Fastify, with Nest's `rawBody` when enabled. */
export type ReceivedRequest = IncomingMessage & {
  rawBody?: Buffer;
  [TOO_LARGE]?: boolean;
  /** Fastify's request wraps Node's. */
  raw?: IncomingMessage;
};

export type RawBody =
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'too_large' }
  /** The host's body parser consumed the stream and kept no raw copy: nothing can be verified. */
  | { kind: 'unavailable' };

/**
 * The request's exact bytes: Nest's `req.rawBody` (`NestFactory.create(…, { rawBody: true })`), or
 * the stream itself when no parser read it (another content type, or `bodyParser: false`). Reads at
 * most `limit` bytes: a larger body is `too_large` without being buffered.
 */
export async function readRawBody(request: ReceivedRequest, limit: number): Promise<RawBody> {
  if (request[TOO_LARGE]) return { kind: 'too_large' };
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return { kind: 'too_large' };
  if (Buffer.isBuffer(request.rawBody)) {
    return request.rawBody.length > limit
      ? { kind: 'too_large' }
      : { kind: 'body', bytes: request.rawBody };
  }
  const stream = request.raw ?? request;
  if (stream.readableEnded || stream.readableDidRead) return { kind: 'unavailable' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // The rest is discarded rather than left unread, so the connection can answer.
      stream.resume();
      return { kind: 'too_large' };
    }
    chunks.push(chunk);
  }
  return { kind: 'body', bytes: Buffer.concat(chunks) };
}

/**
 * An Express middleware, put before the host's body parsers, that reads the bytes of requests to the
 * receiving route into `req.rawBody`: a parser then finds the request finished and leaves it. Only
 * requests to `…/webhooks/in/<token>` are touched.
 */
export function captureInboundBody(limit: number) {
  return (request: ReceivedRequest, _response: ServerResponse, next: (error?: unknown) => void) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (request.method !== 'POST' || request.rawBody || !RECEIVING_PATH.test(path)) return next();
    readRawBody(request, limit)
      .then(async (body) => {
        if (body.kind === 'body') request.rawBody = body.bytes;
        else if (body.kind === 'too_large') {
          request[TOO_LARGE] = true;
          // Drained, not kept, so that the connection can carry the 413.
          request.resume();
          if (!request.readableEnded) await once(request, 'end');
        }
        next();
      })
      .catch(next);
  };
}

/** Node's headers with one value each (the first of a repeated one). */
export function singleValuedHeaders(
  request: Pick<IncomingMessage, 'headers'>,
): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = Array.isArray(value) ? value[0] : value;
  }
  return headers;
}
