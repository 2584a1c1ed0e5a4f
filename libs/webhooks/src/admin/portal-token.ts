import { createHmac, timingSafeEqual } from 'node:crypto';
import { PortalSessionError } from '../webhooks.errors';
import type { PortalList, PortalSigningKey } from '../webhooks.options';

/** What a portal token carries. */
export interface PortalClaims {
  /** The tenant. */
  sub: string;
  /** The lists the session may manage; absent for every list of the tenant. */
  lists?: PortalList[];
  readOnly: boolean;
  locale: string | null;
  theme: 'light' | 'dark' | null;
  /** Seconds since the epoch, as in JWT. */
  iat: number;
  exp: number;
}

const TOKEN_TYPE = 'webhooks-portal+jwt';
const ALGORITHM = 'HS256';
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Portal tokens are JWTs (RFC 7519) signed with HMAC-SHA256, typed `webhooks-portal+jwt` so that a
 * host's own JWTs signed with the same key can never pass for one (RFC 8725, 3.11). Only HS256 is
 * accepted: the header cannot choose the algorithm.
 */
export function signPortalToken(claims: PortalClaims, key: PortalSigningKey): string {
  const header = encodeJson({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: key.id });
  const payload = encodeJson(claims);
  return `${header}.${payload}.${mac(`${header}.${payload}`, key.secret)}`;
}

/** Whether the string is shaped like a portal token (not whether it is valid). */
export function isPortalToken(token: string): boolean {
  const header = token.split('.', 1)[0];
  return decodeJson(header)?.typ === TOKEN_TYPE;
}

/** The claims of a token signed by one of the keys and not expired at `now`; throws otherwise. */
export function verifyPortalToken(
  token: string,
  keys: readonly PortalSigningKey[],
  now: Date,
): PortalClaims {
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw PortalSessionError.invalid();
  }
  const [header, payload, signature] = segments;
  const headerClaims = decodeJson(header);
  if (headerClaims?.alg !== ALGORITHM || headerClaims.typ !== TOKEN_TYPE) {
    throw PortalSessionError.invalid();
  }
  const key = keys.find((candidate) => candidate.id === headerClaims.kid);
  if (!key || !sameSignature(mac(`${header}.${payload}`, key.secret), signature)) {
    throw PortalSessionError.invalid();
  }
  const claims = decodeJson(payload);
  if (!isPortalClaims(claims)) throw PortalSessionError.invalid();
  if (claims.exp * 1000 <= now.getTime()) throw PortalSessionError.expired();
  return claims;
}

function mac(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function isPortalClaims(
  value: Record<string, unknown> | null,
): value is PortalClaims & Record<string, unknown> {
  if (!value) return false;
  const lists = value.lists;
  return (
    typeof value.sub === 'string' &&
    typeof value.readOnly === 'boolean' &&
    Number.isFinite(value.exp) &&
    Number.isFinite(value.iat) &&
    (value.locale === null || typeof value.locale === 'string') &&
    (value.theme === null || value.theme === 'light' || value.theme === 'dark') &&
    (lists === undefined ||
      (Array.isArray(lists) &&
        lists.every(
          (list: unknown) =>
            typeof list === 'object' &&
            list !== null &&
            typeof (list as { id?: unknown }).id === 'string' &&
            typeof (list as { name?: unknown }).name === 'string',
        )))
  );
}
