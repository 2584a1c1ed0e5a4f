import { WebhookUrlNotAllowedError } from '../webhooks.errors';
import { resolveWebhooksOptions, type WebhooksModuleOptions } from '../webhooks.options';
import { UrlGuard } from './url-guard';

const ADDRESSES: Record<string, string[]> = {
  'hooks.example.com': ['93.184.216.34'],
  'private.example.com': ['10.0.0.7'],
  'empty.example.com': [],
};

function guard(security: WebhooksModuleOptions['security'] = {}): UrlGuard {
  return new UrlGuard(
    resolveWebhooksOptions({
      security: {
        resolveHost: async (hostname) => {
          const addresses = ADDRESSES[hostname];
          if (addresses) return addresses;
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
            code: 'ENOTFOUND',
          });
        },
        ...security,
      },
    }),
  );
}

const refusal = (url: string, security?: WebhooksModuleOptions['security']) =>
  guard(security)
    .assertAcceptable(url)
    .then(
      () => null,
      (error: unknown) => {
        expect(error).toBeInstanceOf(WebhookUrlNotAllowedError);
        return (error as Error).message;
      },
    );

describe('UrlGuard.assertAcceptable', () => {
  it('accepts a name that resolves to public addresses', async () => {
    expect(await refusal('https://hooks.example.com/in')).toBeNull();
  });

  it('refuses a name that resolves to a private address', async () => {
    expect(await refusal('https://private.example.com/in')).toBe(
      'url is not allowed: private.example.com resolves to a non-public address',
    );
  });

  it.each(['https://nowhere.example.com/in', 'https://empty.example.com/in'])(
    'refuses a name that does not resolve: %s',
    async (url) => {
      expect(await refusal(url)).toBe(
        `url is not allowed: ${new URL(url).hostname} does not resolve`,
      );
    },
  );

  it('accepts it with allowUnresolvedHosts, but still refuses what resolves privately', async () => {
    const relaxed = { allowUnresolvedHosts: true };
    expect(await refusal('https://nowhere.example.com/in', relaxed)).toBeNull();
    expect(await refusal('https://private.example.com/in', relaxed)).toMatch(/non-public/);
    expect(await refusal('http://127.0.0.1.nip.io/', relaxed)).toMatch(/embed a non-public/);
  });

  it('does not resolve literal addresses, allow-listed names, or anything with allowPrivateNetworks', async () => {
    expect(await refusal('http://93.184.216.34/')).toBeNull();
    expect(
      await refusal('http://hooks.partner.lan/', { allowedTargets: ['hooks.partner.lan'] }),
    ).toBeNull();
    expect(await refusal('http://nowhere.example.com/', { allowPrivateNetworks: true })).toBeNull();
  });
});
