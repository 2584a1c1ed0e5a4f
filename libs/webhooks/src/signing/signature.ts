import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '../webhooks.errors';

const SECRET_PREFIX = 'whsec_';
const SIGNATURE_VERSION = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export interface WebhookSignatureInput {
  /** The `webhook-id` (our delivery id). */
  id: string;
  /** Seconds since the epoch, as sent in `webhook-timestamp`. */
  timestamp: number;
  /** The exact body bytes sent. */
  body: string | Buffer;
}

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export type HeaderBag =
  Record<string, string | string[] | undefined> | { get(name: string): string | null };

export interface VerifyWebhookOptions {
  /** Accepted clock difference in seconds. Default: 300 (±5 minutes). */
  toleranceSeconds?: number;
  /** Current time, for tests. */
  now?: Date;
}

export interface VerifiedWebhook {
  id: string;
  timestamp: Date;
}

function secretKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new WebhookVerificationError('secret is empty or not base64');
  return key;
}

function hmac(key: Buffer, input: WebhookSignatureInput): Buffer {
  return createHmac('sha256', key)
    .update(`${input.id}.${input.timestamp}.`)
    .update(input.body)
    .digest();
}

/**
 * Signs a payload the Standard Webhooks way. Several secrets (during a rotation) give several
 * space-separated signatures, any of which a receiver may accept.
 */
export function signWebhook(
  secret: string | readonly string[],
  input: WebhookSignatureInput,
): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return secrets
    .map((one) => `${SIGNATURE_VERSION},${hmac(secretKey(one), input).toString('base64')}`)
    .join(' ');
}

export function webhookHeaders(
  secret: string | readonly string[],
  input: WebhookSignatureInput,
): WebhookHeaders {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signWebhook(secret, input),
  };
}

function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a delivery on the receiving side: the signature (constant-time, any of the
 * space-separated `v1` signatures) and the timestamp tolerance. Throws WebhookVerificationError.
 * Pass the raw body exactly as received, not a re-serialized object.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  body: string | Buffer,
  headers: HeaderBag,
  options: VerifyWebhookOptions = {},
): VerifiedWebhook {
  const id = readHeader(headers, 'webhook-id');
  const timestampHeader = readHeader(headers, 'webhook-timestamp');
  const signatureHeader = readHeader(headers, 'webhook-signature');
  if (!id || !timestampHeader || !signatureHeader) {
    throw new WebhookVerificationError(
      'missing webhook-id, webhook-timestamp or webhook-signature header',
    );
  }
  if (!/^\d+$/.test(timestampHeader))
    throw new WebhookVerificationError('invalid webhook-timestamp');
  const timestamp = Number(timestampHeader);
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp is outside the tolerance');
  }

  const candidates = signatureHeader
    .split(' ')
    .map((part) => part.split(','))
    .filter(([version, value]) => version === SIGNATURE_VERSION && value)
    .map(([, value]) => Buffer.from(value, 'base64'));
  const secrets = typeof secret === 'string' ? [secret] : secret;
  for (const one of secrets) {
    const expected = hmac(secretKey(one), { id, timestamp, body });
    if (
      candidates.some(
        (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
      )
    ) {
      return { id, timestamp: new Date(timestamp * 1000) };
    }
  }
  throw new WebhookVerificationError('no matching signature');
}
