import { SEALED_PREFIX } from './secret-envelope';

/** Headers a subscription may not set: hop-by-hop, framing, and the ones we sign or compute. */
const RESERVED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'expect',
  'user-agent',
]);
const RESERVED_PREFIXES = ['webhook-', 'svix-', ':'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]{0,1000}$/;
export const MAX_CUSTOM_HEADERS = 10;

/** Why a set of custom headers is refused, or null when it is acceptable. */
export function customHeadersProblem(headers: unknown): string | null {
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    return 'headers must be an object of header names to string values';
  }
  const entries = Object.entries(headers as Record<string, unknown>);
  if (entries.length > MAX_CUSTOM_HEADERS)
    return `headers may hold at most ${MAX_CUSTOM_HEADERS} entries`;
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!HEADER_NAME.test(name)) return `headers has an invalid header name "${name.slice(0, 64)}"`;
    if (
      RESERVED_HEADERS.has(lower) ||
      RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))
    ) {
      return `headers may not set "${name}"`;
    }
    if (seen.has(lower)) return `headers sets "${name}" twice`;
    seen.add(lower);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      return `headers["${name}"] must be a string of at most 1000 visible characters`;
    }
    // Stored values with this prefix are read as encrypted.
    if (value.startsWith(SEALED_PREFIX))
      return `headers["${name}"] may not start with "${SEALED_PREFIX}"`;
  }
  return null;
}
