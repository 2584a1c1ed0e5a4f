import { resolveWebhooksOptions } from '../webhooks.options';
import { InboundSchemes } from './inbound-schemes';

const schemesWith = (...names: string[]) =>
  new InboundSchemes(
    resolveWebhooksOptions({
      inbound: { schemes: names.map((name) => ({ name, verify: () => false })) },
    }),
  );

describe('InboundSchemes', () => {
  it('adds the host’s schemes to the built-in ones', () => {
    expect(schemesWith('acme').names()).toEqual([
      'standard-webhooks',
      'stripe',
      'shopify',
      'github',
      'typeform',
      'hmac',
      'token',
      'basic',
      'acme',
    ]);
  });

  it('refuses a second scheme of the same name, built-in or not', () => {
    expect(() => schemesWith('stripe')).toThrow(
      'inbound.schemes has a second scheme named "stripe"',
    );
    expect(() => schemesWith('acme', 'acme')).toThrow('second scheme named "acme"');
  });

  it('names the problems of an endpoint: scheme, settings, a secret the provider issues', () => {
    const schemes = schemesWith();
    expect(schemes.problems('pigeon', {}, null)).toEqual([
      'scheme must be one of: standard-webhooks, stripe, shopify, github, typeform, hmac, token, basic',
    ]);
    expect(schemes.problems('shopify', {}, null)).toEqual([
      'secret is required for scheme shopify: the provider issues it',
    ]);
    expect(schemes.problems('token', { header: 'X-Token', extra: 'x' }, null)).toEqual([
      'settings.extra is not a setting of scheme token',
    ]);
    expect(schemes.problems('github', {}, null)).toEqual([]);
    expect(schemes.problems('standard-webhooks', {}, 'not base64!')).toEqual([
      'secret must be whsec_ followed by base64 (at least 16 bytes) for scheme standard-webhooks',
    ]);
    expect(
      schemes.problems('standard-webhooks', {}, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
    ).toEqual([]);
    expect(schemes.problems('basic', {}, 'no-colon')).toEqual([
      'secret must be user:password for scheme basic',
    ]);
  });

  it('generates secrets in the form each scheme’s senders use', () => {
    const schemes = schemesWith();
    expect(schemes.generateSecret('standard-webhooks')).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(schemes.generateSecret('basic')).toMatch(/^webhooks:[\w-]{32}$/);
    expect(schemes.generateSecret('github')).toMatch(/^[\w-]{43}$/);
  });
});
