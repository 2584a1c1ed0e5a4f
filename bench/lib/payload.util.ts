import { webhookHeaders } from '../../test/support/internals';

/** Size of the JSON `data` of every event in every scenario and baseline. */
export const DATA_BYTES = 1024;
export const BENCH_EVENT_TYPE = 'contact.updated';
export const BENCH_TENANT = 'bench';
/** The receiver finds the emit time with this marker instead of parsing the whole body. */
export const EMITTED_AT_MARKER = '"emittedAt":';

const PADDING_UNIT = 'abcdefghijklmnopqrstuvwxyz0123456789';
const padding = (length: number) =>
  PADDING_UNIT.repeat(Math.ceil(length / PADDING_UNIT.length)).slice(0, Math.max(0, length));

/**
 * The event `data`: `emittedAt` first (wall-clock ms with µs decimals), a contact-like object, and
 * padding so that `JSON.stringify(data)` is exactly DATA_BYTES bytes.
 */
export function benchData(seq: number, emittedAtMs: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    emittedAt: Math.round(emittedAtMs * 1000) / 1000,
    seq,
    contact: {
      id: seq,
      email: `contact-${seq}@example.com`,
      firstName: 'Ada',
      lastName: 'Lovelace',
      fields: { city: 'London', plan: 'pro' },
    },
    padding: '',
  };
  const used = Buffer.byteLength(JSON.stringify(data));
  data.padding = padding(DATA_BYTES - used);
  return data;
}

/** The envelope the module sends (see libs/webhooks/src/delivery/webhook-body.ts), for baselines. */
export function benchEnvelope(id: string, listId: string, data: Record<string, unknown>): string {
  return JSON.stringify({
    id,
    type: BENCH_EVENT_TYPE,
    timestamp: new Date().toISOString(),
    source: 'api',
    listId,
    data,
  });
}

/** Standard Webhooks headers for a baseline request, signed with the library's own function. */
export function signedHeaders(secret: string, id: string, body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'bench-baseline',
    ...webhookHeaders(secret, { id, timestamp, body }),
  };
}

/** Reads `data.emittedAt` from a raw body without parsing it; NaN when absent. */
export function readEmittedAt(body: string): number {
  const at = body.indexOf(EMITTED_AT_MARKER);
  if (at < 0) return Number.NaN;
  const start = at + EMITTED_AT_MARKER.length;
  let end = start;
  while (end < body.length && body[end] !== ',' && body[end] !== '}') end++;
  return Number(body.slice(start, end));
}
