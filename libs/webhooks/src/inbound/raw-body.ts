import type { IncomingMessage } from 'node:http';

/** A request as the receiving route gets it: Express or Fastify, with Nest's `rawBody` when enabled. */
export type ReceivedRequest = IncomingMessage & {
  rawBody?: Buffer;
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
