import { createHash, createHmac, timingSafeEqual, type BinaryLike } from 'node:crypto';
import type { InboundSchemeDefinition, InboundSchemeRequest } from '../../webhooks.options';

export type { InboundSchemeDefinition, InboundSchemeRequest };

/** A built-in scheme: also says which settings it takes and whether the provider issues the secret. */
export interface BuiltInInboundScheme extends InboundSchemeDefinition {
  /** The provider generates the secret (Stripe, Shopify): an endpoint must be given it. */
  readonly providerIssuesSecret?: boolean;
  /** Problems of an endpoint's `settings` for this scheme, each naming its field. */
  settingsProblems?(settings: Readonly<Record<string, string>>): string[];
  /** Why a given secret cannot work with the scheme (e.g. not base64), or null. */
  secretProblem?(secret: string): string | null;
  /** A new secret in the form the scheme's senders expect. */
  generateSecret?(): string;
}

/** Constant-time equality of two byte strings (lengths are not secret: both are digests). */
export function sameBytes(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Constant-time equality of two strings of any length: their digests are compared, so neither the
 * content nor the length of the expected one leaks.
 */
export function sameText(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

export function hmac(algorithm: string, key: BinaryLike, ...parts: Array<string | Buffer>): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Whether any secret's HMAC of `parts` is `given`, decoded as `encoding`. */
export function anySecretSigned(
  request: InboundSchemeRequest,
  given: string | undefined,
  { algorithm = 'sha256', encoding = 'hex' }: { algorithm?: string; encoding?: 'hex' | 'base64' },
  ...parts: Array<string | Buffer>
): boolean {
  if (!given) return false;
  const wanted = Buffer.from(given.trim(), encoding);
  if (wanted.length === 0) return false;
  let matched = false;
  // Every secret is tried, so the time taken does not tell which one matched.
  for (const secret of request.secrets) {
    if (sameBytes(hmac(algorithm, secret, ...parts), wanted)) matched = true;
  }
  return matched;
}

/** Whether `seconds` (a Unix timestamp as sent) is within the tolerance of `now`. */
export function isFresh(seconds: string | undefined, request: InboundSchemeRequest): boolean {
  if (!seconds || !/^\d{1,12}$/.test(seconds)) return false;
  return Math.abs(request.now.getTime() - Number(seconds) * 1000) <= request.toleranceMs;
}

/** A string field at the top of a JSON body, or null. */
export function jsonField(body: Buffer, field: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const value = (parsed as Record<string, unknown>)[field];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  } catch {
    return null;
  }
}

/** The value after `prefix` (`sha256=…`), or undefined when the header does not start with it. */
export function afterPrefix(value: string | undefined, prefix: string): string | undefined {
  return value?.startsWith(prefix) ? value.slice(prefix.length) : undefined;
}
