import { resolveWebhooksOptions } from '../webhooks.options';
import { SubscriptionSecrets } from './subscription-secrets';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const secretsWith = (...ids: Array<[string, number]>) =>
  new SubscriptionSecrets(
    resolveWebhooksOptions({
      security: { encryptionKeys: ids.map(([id, fill]) => ({ id, key: key(fill) })) },
    }),
  );
const id = '0190a3c4-0000-7000-8000-000000000001';
const fields = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  previousSecret: null,
  headers: { Authorization: 'Bearer t0ken' },
};

describe('SubscriptionSecrets', () => {
  it('stores values as given without a key ring', () => {
    const secrets = new SubscriptionSecrets(resolveWebhooksOptions({}));
    expect(secrets.encrypting).toBe(false);
    expect(secrets.seal(id, fields)).toEqual(fields);
    expect(secrets.needsResealing(fields)).toBe(false);
  });

  it('seals the secrets and each header value, keeps header names, and opens them again', () => {
    const secrets = secretsWith(['k2', 2], ['k1', 1]);
    const sealed = secrets.seal(id, fields);
    expect(sealed.secret).toMatch(/^enc:v1:k2:/);
    expect(sealed.previousSecret).toBeNull();
    expect(Object.keys(sealed.headers)).toEqual(['Authorization']);
    expect(sealed.headers.Authorization).toMatch(/^enc:v1:k2:/);
    expect(secrets.open({ id, ...sealed })).toEqual({ id, ...fields });
    expect(secrets.needsResealing(sealed)).toBe(false);
  });

  it('wants rows in clear or under an older key resealed', () => {
    const secrets = secretsWith(['k2', 2], ['k1', 1]);
    const byOldKey = secretsWith(['k1', 1]).seal(id, fields);
    expect(secrets.needsResealing(fields)).toBe(true);
    expect(secrets.needsResealing(byOldKey)).toBe(true);
    expect(secrets.needsResealing({ ...secrets.seal(id, fields), headers: byOldKey.headers })).toBe(
      true,
    );
    expect(secrets.open({ id, ...byOldKey })).toEqual({ id, ...fields });
  });

  it('refuses a header value moved to another header', () => {
    const secrets = secretsWith(['k2', 2]);
    const sealed = secrets.seal(id, { headers: { 'X-A': 'a', 'X-B': 'b' } });
    const swapped = { 'X-A': sealed.headers['X-B'], 'X-B': sealed.headers['X-A'] };
    expect(() => secrets.open({ id, headers: swapped })).toThrow(/failed authentication/);
  });
});
