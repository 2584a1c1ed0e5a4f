import { createKeyRing, isSealed, openSecret, sealingKeyId, sealSecret } from './secret-envelope';
import {
  SecretDecryptionError,
  UnknownEncryptionKeyError,
  WebhooksError,
} from '../webhooks.errors';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const ring = createKeyRing([
  { id: 'k2', key: key(2) },
  { id: 'k1', key: key(1) },
])!;
const oldRing = createKeyRing([{ id: 'k1', key: key(1) }])!;
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const context = 'webhook_subscriptions.secret:0190a3c4-0000-7000-8000-000000000001';

describe('secret envelopes', () => {
  it('round-trip under the first key, in the documented format, never twice the same', () => {
    const sealed = sealSecret(secret, context, ring);
    expect(sealed).toMatch(/^enc:v1:k2:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(isSealed(sealed)).toBe(true);
    expect(sealingKeyId(sealed)).toBe('k2');
    expect(openSecret(sealed, context, ring)).toBe(secret);
    expect(sealSecret(secret, context, ring)).not.toBe(sealed);
  });

  it('open with any key of the ring: older keys still decrypt', () => {
    const sealedByOld = sealSecret(secret, context, oldRing);
    expect(sealingKeyId(sealedByOld)).toBe('k1');
    expect(openSecret(sealedByOld, context, ring)).toBe(secret);
  });

  it('pass plain text through (rows stored before the key ring)', () => {
    expect(isSealed(secret)).toBe(false);
    expect(sealingKeyId(secret)).toBeNull();
    expect(openSecret(secret, context, ring)).toBe(secret);
    expect(openSecret(secret, context, null)).toBe(secret);
  });

  it('refuse a tampered envelope', () => {
    const sealed = sealSecret(secret, context, ring);
    const parts = sealed.split(':');
    const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    for (const index of [3, 4, 5]) {
      const tampered = [...parts];
      tampered[index] = flip(tampered[index]);
      expect(() => openSecret(tampered.join(':'), context, ring)).toThrow(SecretDecryptionError);
    }
    expect(() => openSecret(sealed.slice(0, -2), context, ring)).toThrow(SecretDecryptionError);
    expect(() => openSecret('enc:v1:k2:garbage', context, ring)).toThrow(SecretDecryptionError);
  });

  it('refuse an envelope moved to another row or column (wrong AAD)', () => {
    const sealed = sealSecret(secret, context, ring);
    const otherRow = context.replace(/1$/, '2');
    expect(() => openSecret(sealed, otherRow, ring)).toThrow(SecretDecryptionError);
    expect(() => openSecret(sealed, context.replace('.secret', '.previousSecret'), ring)).toThrow(
      SecretDecryptionError,
    );
  });

  it('name an unknown key id clearly, with or without a ring', () => {
    const sealed = sealSecret(secret, context, ring);
    const withoutK2 = createKeyRing([{ id: 'k1', key: key(1) }]);
    expect(() => openSecret(sealed, context, withoutK2)).toThrow(UnknownEncryptionKeyError);
    expect(() => openSecret(sealed, context, withoutK2)).toThrow(
      /encrypted with key "k2", which is not in security\.encryptionKeys/,
    );
    expect(() => openSecret(sealed, context, null)).toThrow(UnknownEncryptionKeyError);
  });

  it('throw typed library errors with their codes, naming the key or the context', () => {
    const sealed = sealSecret(secret, context, ring);
    const thrownBy = (open: () => string): unknown => {
      try {
        open();
      } catch (error) {
        return error;
      }
      throw new Error('expected the envelope to be refused');
    };

    const unknownKey = thrownBy(() => openSecret(sealed, context, oldRing));
    expect(unknownKey).toBeInstanceOf(WebhooksError);
    expect(unknownKey).toMatchObject({
      name: 'UnknownEncryptionKeyError',
      code: 'encryption_key_unknown',
      keyId: 'k2',
    });

    const tampered = thrownBy(() => openSecret(sealed.slice(0, -2), context, ring));
    expect(tampered).toBeInstanceOf(WebhooksError);
    expect(tampered).toMatchObject({
      name: 'SecretDecryptionError',
      code: 'secret_decryption_failed',
      context,
    });
  });

  it('a key with the right id but other bytes fails authentication', () => {
    const sealed = sealSecret(secret, context, ring);
    const impostor = createKeyRing([{ id: 'k2', key: key(9) }]);
    expect(() => openSecret(sealed, context, impostor)).toThrow(SecretDecryptionError);
  });

  it('no ring without keys', () => {
    expect(createKeyRing([])).toBeNull();
  });
});
