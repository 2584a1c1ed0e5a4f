import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretDecryptionError, UnknownEncryptionKeyError } from '../webhooks.errors';
import type { EncryptionKey } from '../webhooks.options';

/** What every envelope starts with: stored values without it are plain text. */
export const SEALED_PREFIX = 'enc:v1:';
const PREFIX = SEALED_PREFIX;
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = '[A-Za-z0-9_-]';
/** `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>`, all but the key id base64url. */
const ENVELOPE = new RegExp(
  `^enc:v1:(${B64URL}{1,32}):(${B64URL}{16}):(${B64URL}{22}):(${B64URL}*)$`,
);

/** Keys by id; the first one given encrypts, every one decrypts. */
export interface KeyRing {
  readonly currentId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** The ring of `keys`, or null when there is none (secrets are stored as given). */
export function createKeyRing(keys: readonly EncryptionKey[]): KeyRing | null {
  if (keys.length === 0) return null;
  const ring = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    const bytes = Buffer.from(key, 'base64');
    if (bytes.length !== KEY_BYTES) throw new RangeError(`encryption key ${id} is not 32 bytes`);
    ring.set(id, bytes);
  }
  return { currentId: keys[0].id, keys: ring };
}

/** Whether `value` is an envelope (of any key). */
export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX) && ENVELOPE.test(value);
}

/** The id of the key that sealed `value`, or null when it is not an envelope. */
export function sealingKeyId(value: string): string | null {
  if (!value.startsWith(PREFIX)) return null;
  return ENVELOPE.exec(value)?.[1] ?? null;
}

/**
 * Encrypts `plaintext` with the ring's current key. `context` (the row id and column) is
 * authenticated with it, so the envelope opens nowhere else.
 */
export function sealSecret(plaintext: string, context: string, ring: KeyRing): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, ring.keys.get(ring.currentId) as Buffer, iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${PREFIX}${ring.currentId}:${iv.toString('base64url')}:${cipher
    .getAuthTag()
    .toString('base64url')}:${ciphertext.toString('base64url')}`;
}

/**
 * The plaintext of an envelope sealed for `context`. A value that is not an envelope was stored
 * before a key ring was configured: it is returned as it is.
 */
export function openSecret(value: string, context: string, ring: KeyRing | null): string {
  if (!value.startsWith(PREFIX)) return value;
  const parts = ENVELOPE.exec(value);
  if (!parts) throw new SecretDecryptionError(context);
  const [, keyId, iv, tag, ciphertext] = parts;
  const key = ring?.keys.get(keyId);
  if (!key) throw new UnknownEncryptionKeyError(keyId);
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new SecretDecryptionError(context);
  }
}
