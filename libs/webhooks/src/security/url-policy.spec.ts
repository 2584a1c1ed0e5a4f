import { checkWebhookUrl, isPublicAddress, TargetAllowList, type UrlPolicy } from './url-policy';

const strict: UrlPolicy = { allowPrivateNetworks: false, httpsOnly: false, allowedTargets: [] };

/** Receiver URLs the default policy must refuse: each would reach the platform's own network. */
const REFUSED_URLS: ReadonlyArray<[string, string]> = [
  ['loopback', 'http://127.0.0.1/'],
  ['loopback, other address of 127/8', 'http://127.53.1.9:8080/'],
  ['loopback, decimal', 'http://2130706433/'],
  ['loopback, hex', 'http://0x7f000001/'],
  ['loopback, dotted hex', 'http://0x7f.0x0.0x0.0x1/'],
  ['loopback, octal', 'http://0177.0.0.1/'],
  ['loopback, short form', 'http://127.1/'],
  ['loopback, trailing dot', 'http://127.0.0.1./'],
  ['loopback, full-width digits', 'http://１２７.０.０.１/'],
  ['loopback, percent-encoded dot', 'http://127.0.0.1%2e/'],
  ['localhost', 'http://localhost:3000/'],
  ['localhost, upper case', 'http://LOCALHOST/'],
  ['localhost, trailing dot', 'http://localhost./'],
  ['a .localhost name', 'http://api.localhost/'],
  ['a single-label intranet name', 'http://intranet/'],
  ['a .internal name', 'http://metadata.google.internal/'],
  ['an mDNS .local name', 'http://printer.local/'],
  ['unspecified 0.0.0.0', 'http://0.0.0.0/'],
  ['unspecified, short form', 'http://0/'],
  ['RFC 1918 10/8', 'http://10.0.0.1/'],
  ['RFC 1918 172.16/12', 'http://172.16.5.4/'],
  ['RFC 1918 172.31 edge', 'http://172.31.255.255/'],
  ['RFC 1918 192.168/16', 'http://192.168.1.1/'],
  ['RFC 1918, decimal', 'http://3232235777/'],
  ['link-local, cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
  ['link-local, hex metadata', 'http://0xa9fea9fe/'],
  ['CGNAT 100.64/10', 'http://100.64.0.1/'],
  ['benchmarking 198.18/15', 'http://198.18.0.1/'],
  ['documentation TEST-NET-1', 'http://192.0.2.10/'],
  ['IETF protocol assignments', 'http://192.0.0.8/'],
  ['multicast', 'http://224.0.0.1/'],
  ['reserved 240/4', 'http://240.0.0.1/'],
  ['broadcast', 'http://255.255.255.255/'],
  ['IPv6 loopback', 'http://[::1]/'],
  ['IPv6 loopback, long form', 'http://[0:0:0:0:0:0:0:1]/'],
  ['IPv6 unspecified', 'http://[::]/'],
  ['IPv6 ULA fc00::/7', 'http://[fc00::1]/'],
  ['IPv6 ULA fd00::/8 (AWS metadata)', 'http://[fd00:ec2::254]/'],
  ['IPv6 link-local', 'http://[fe80::1]/'],
  ['IPv6 site-local (deprecated)', 'http://[fec0::1]/'],
  ['IPv6 multicast', 'http://[ff02::1]/'],
  ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/'],
  ['IPv4-mapped IPv6 private, hex', 'http://[::ffff:a00:1]/'],
  ['IPv4-mapped IPv6 metadata', 'http://[::ffff:169.254.169.254]/'],
  ['IPv4-compatible IPv6 loopback', 'http://[::127.0.0.1]/'],
  ['IPv4-compatible IPv6 private', 'http://[::10.0.0.1]/'],
  ['NAT64 of loopback', 'http://[64:ff9b::7f00:1]/'],
  ['NAT64 of metadata', 'http://[64:ff9b::169.254.169.254]/'],
  ['local-use NAT64', 'http://[64:ff9b:1::a00:1]/'],
  ['6to4 of loopback', 'http://[2002:7f00:1::]/'],
  ['6to4 of private', 'http://[2002:c0a8:101::1]/'],
  ['Teredo', 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/'],
  ['discard-only 100::/64', 'http://[100::1]/'],
  ['userinfo hiding the host', 'http://hooks.example.com@127.0.0.1/'],
  ['credentials in the URL', 'https://user:secret@hooks.example.com/'],
  ['ftp scheme', 'ftp://hooks.example.com/'],
  ['file scheme', 'file:///etc/passwd'],
  ['gopher scheme', 'gopher://127.0.0.1:6379/_FLUSHALL'],
  ['javascript scheme', 'javascript:alert(1)'],
  ['data scheme', 'data:text/plain,hi'],
  ['relative URL', '/hooks'],
  ['scheme-relative URL', '//hooks.example.com/'],
  ['no host', 'http://'],
];

describe('checkWebhookUrl: the default policy', () => {
  it('covers at least 40 refused forms', () =>
    expect(REFUSED_URLS.length).toBeGreaterThanOrEqual(40));

  it.each(REFUSED_URLS)('refuses %s (%s)', (_label, url) => {
    expect(checkWebhookUrl(url, strict).allowed).toBe(false);
  });

  it.each([
    'https://hooks.example.com/in',
    'http://93.184.216.34:8080/x',
    'https://[2606:4700:4700::1111]/',
    'https://HOOKS.Example.COM./in',
  ])('accepts the public %s', (url) => expect(checkWebhookUrl(url, strict).allowed).toBe(true));

  it('says why', () => {
    const reasons = [
      'http://10.0.0.1/',
      'ftp://x.example.com/',
      'https://u:p@x.example.com/',
      'http://localhost/',
    ].map((url) => {
      const check = checkWebhookUrl(url, strict);
      return check.allowed ? '' : check.reason;
    });
    expect(reasons).toEqual([
      'private, loopback and reserved addresses are not accepted',
      'only http and https URLs are accepted',
      'credentials in the URL are not accepted',
      'local host names are not accepted',
    ]);
  });
});

/** Names refused without any DNS lookup: special-use names and addresses spelled into a name. */
const REFUSED_NAMES: ReadonlyArray<[string, string]> = [
  ['localhost.localdomain', 'http://localhost.localdomain/'],
  ['a .localdomain name', 'http://db.localdomain/'],
  ['a .local name, upper case', 'http://NAS.LOCAL/'],
  ['a .internal name, trailing dot', 'http://api.internal./'],
  ['a .home.arpa name', 'http://router.home.arpa/'],
  ['a reverse-DNS name', 'http://1.0.0.127.in-addr.arpa/'],
  ['a .invalid name', 'http://hooks.invalid/'],
  ['a .test name', 'http://hooks.test/'],
  ['a .example name', 'http://hooks.example/'],
  ['an .onion name', 'http://abc.onion/'],
  ['a .lan name', 'http://printer.lan/'],
  ['a name that always resolves to loopback', 'http://app.localtest.me/'],
  ['lvh.me', 'http://lvh.me:3000/'],
  ['nip.io, dotted loopback', 'http://127.0.0.1.nip.io/'],
  ['nip.io, dotted private with a prefix', 'http://app.10.0.0.1.nip.io/'],
  ['nip.io, dashed loopback with a prefix', 'http://magic-127-0-0-1.nip.io/'],
  ['nip.io, hex loopback', 'http://7f000001.nip.io/'],
  ['nip.io, hex private with a prefix', 'http://app-c0a80101.nip.io/'],
  ['nip.io, metadata address', 'http://169.254.169.254.nip.io/latest/meta-data/'],
  ['sslip.io, dashed private', 'http://10-0-0-1.sslip.io/'],
  ['sslip.io, mixed dots and dashes', 'http://www.192-168-1-1.sslip.io/'],
  ['sslip.io, IPv6 loopback', 'http://--1.sslip.io/'],
  ['sslip.io, IPv6 link-local with a prefix', 'http://www-fe80--1.sslip.io/'],
  ['sslip.io, IPv4-mapped IPv6 loopback', 'http://--ffff-7f00-1.sslip.io/'],
  ['xip.io, dotted private', 'http://192.168.1.1.xip.io/'],
  ['traefik.me, dashed CGNAT', 'http://100-64-0-1.traefik.me/'],
  ['any domain, dotted loopback', 'http://127.0.0.1.attacker.example.com/'],
  ['any domain, dashed private', 'http://hook-172-16-0-5.attacker.example.com/'],
  ['any domain, unspecified', 'http://0.0.0.0.attacker.example.com/'],
];

describe('checkWebhookUrl: special-use names and addresses spelled into names', () => {
  it.each(REFUSED_NAMES)('refuses %s (%s)', (_label, url) => {
    expect(checkWebhookUrl(url, strict).allowed).toBe(false);
  });

  it.each([
    ['a public address spelled into nip.io', 'http://93.184.216.34.nip.io/'],
    ['a public hex address under sslip.io', 'http://5db8d822.sslip.io/'],
    [
      'a hash-like label outside the wildcard services',
      'https://pr-12-0a000001.preview.example.com/',
    ],
    ['a punycode label', 'https://xn--bcher-kva.example.com/'],
    ['a double hyphen outside the wildcard services', 'https://be--ef.example.com/'],
    ['a version number', 'https://api-v1-2-3.example.com/'],
    ['a name ending like a special-use one', 'https://mylocal.example.com/'],
  ])('accepts %s (%s)', (_label, url) => {
    expect(checkWebhookUrl(url, strict).allowed).toBe(true);
  });

  it('says why', () => {
    expect(checkWebhookUrl('http://localhost.localdomain/', strict)).toEqual({
      allowed: false,
      reason: 'local host names are not accepted',
    });
    expect(checkWebhookUrl('http://127.0.0.1.nip.io/', strict)).toEqual({
      allowed: false,
      reason: 'host names that embed a non-public address are not accepted',
    });
  });

  it('lets them through with allowPrivateNetworks, and allow-listed names and ranges', () => {
    expect(
      checkWebhookUrl('http://127.0.0.1.nip.io/', { ...strict, allowPrivateNetworks: true })
        .allowed,
    ).toBe(true);
    const policy = { ...strict, allowedTargets: ['10.0.0.0/8', 'printer.lan'] };
    expect(checkWebhookUrl('http://10-0-0-1.sslip.io/', policy).allowed).toBe(true);
    expect(checkWebhookUrl('http://printer.lan/', policy).allowed).toBe(true);
    expect(checkWebhookUrl('http://127-0-0-1.sslip.io/', policy).allowed).toBe(false);
  });
});

describe('checkWebhookUrl: options', () => {
  it('lets everything private through with allowPrivateNetworks, but still only http(s)', () => {
    const open = { ...strict, allowPrivateNetworks: true };
    expect(checkWebhookUrl('http://127.0.0.1:3000/inbox', open).allowed).toBe(true);
    expect(checkWebhookUrl('http://localhost/', open).allowed).toBe(true);
    expect(checkWebhookUrl('ftp://127.0.0.1/', open).allowed).toBe(false);
  });

  it('allows exactly the allow-listed CIDRs and host names', () => {
    const policy = {
      ...strict,
      allowedTargets: ['127.0.0.2/32', '10.1.0.0/16', 'hooks.internal', '::1'],
    };
    expect(checkWebhookUrl('http://127.0.0.2:8080/', policy).allowed).toBe(true);
    expect(checkWebhookUrl('http://10.1.200.3/', policy).allowed).toBe(true);
    expect(checkWebhookUrl('http://hooks.internal/', policy).allowed).toBe(true);
    expect(checkWebhookUrl('http://[::1]/', policy).allowed).toBe(true);
    expect(checkWebhookUrl('http://127.0.0.1/', policy).allowed).toBe(false);
    expect(checkWebhookUrl('http://10.2.0.1/', policy).allowed).toBe(false);
    expect(checkWebhookUrl('http://other.internal/', policy).allowed).toBe(false);
  });

  it('refuses plain http with httpsOnly', () => {
    const policy = { ...strict, httpsOnly: true };
    expect(checkWebhookUrl('http://hooks.example.com/', policy)).toEqual({
      allowed: false,
      reason: 'only https URLs are accepted',
    });
    expect(checkWebhookUrl('https://hooks.example.com/', policy).allowed).toBe(true);
  });
});

describe('isPublicAddress and the allow-list', () => {
  it.each([
    ['8.8.8.8', true],
    ['2606:4700::1111', true],
    ['127.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['::7f00:1', false],
    ['64:ff9b::808:808', false],
    ['2002:808:808::1', false],
    ['fd12::1', false],
    ['not-an-ip', false],
  ])('%s → %s', (address, expected) => expect(isPublicAddress(address)).toBe(expected));

  it('matches IPv4-mapped forms of allow-listed IPv4 ranges', () => {
    const allowList = new TargetAllowList(['127.0.0.0/8']);
    expect(allowList.allowsAddress('::ffff:127.0.0.5')).toBe(true);
    expect(allowList.allowsAddress('10.0.0.1')).toBe(false);
  });
});
