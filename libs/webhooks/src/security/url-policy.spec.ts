import { checkWebhookUrl, isPublicAddress } from './url-policy';

const strict = { allowPrivateNetworks: false };
const permissive = { allowPrivateNetworks: true };

describe('checkWebhookUrl', () => {
  it.each([
    'https://hooks.example.com/in',
    'http://93.184.216.34:8080/x',
    'https://[2606:4700::1111]/',
  ])('accepts %s', (url) => expect(checkWebhookUrl(url, strict).allowed).toBe(true));

  it.each([
    ['/relative', 'absolute'],
    ['ftp://example.com/file', 'http and https'],
    ['javascript:alert(1)', 'http and https'],
    ['https://user:pass@example.com/', 'credentials'],
    ['http://localhost/', 'loopback'],
    ['http://127.0.0.1/', 'private'],
    ['http://10.1.2.3/', 'private'],
    ['http://192.168.0.10/', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'private'],
    ['http://[::1]/', 'private'],
    ['http://[::ffff:127.0.0.1]/', 'private'],
    ['http://0x7f000001/', 'private'],
    ['http://2130706433/', 'private'],
  ])('refuses %s', (url, reason) => {
    const check = checkWebhookUrl(url, strict);
    expect(check.allowed).toBe(false);
    expect(check.allowed ? '' : check.reason).toContain(reason);
  });

  it('lets loopback through only when private networks are allowed', () => {
    expect(checkWebhookUrl('http://127.0.0.1:3000/inbox', permissive).allowed).toBe(true);
    expect(checkWebhookUrl('ftp://127.0.0.1/', permissive).allowed).toBe(false);
  });
});

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['2606:4700::1111', true],
    ['127.0.0.1', false],
    ['0.0.0.0', false],
    ['203.0.113.9', false],
    ['100.64.0.1', false],
    ['fd00::1', false],
    ['fe80::1', false],
    ['::ffff:10.0.0.1', false],
    ['not-an-ip', false],
  ])('%s → %s', (address, expected) => expect(isPublicAddress(address)).toBe(expected));
});
