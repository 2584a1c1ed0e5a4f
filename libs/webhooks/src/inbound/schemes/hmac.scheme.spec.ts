import { createHmac } from 'node:crypto';
import type { InboundSchemeRequest } from './inbound-scheme';
import { hmacScheme } from './hmac.scheme';

const NOW = new Date('2026-12-06T10:00:00Z');
const SECONDS = String(NOW.getTime() / 1000);

function request(
  settings: Record<string, string>,
  headers: Record<string, string>,
  body = '{"a":1}',
): InboundSchemeRequest {
  return {
    body: Buffer.from(body),
    headers,
    secrets: ['old-secret', 'the-secret'],
    settings,
    now: NOW,
    toleranceMs: 300_000,
  };
}

describe('the generic hmac scheme', () => {
  it.each([
    ['sha256', 'hex', ''],
    ['sha1', 'base64', 'sha1='],
    ['sha512', 'hex', 'v1:'],
  ])(
    'verifies %s in %s with prefix %j, with any accepted secret',
    (algorithm, encoding, prefix) => {
      const digest = createHmac(algorithm, 'the-secret')
        .update('{"a":1}')
        .digest(encoding as 'hex' | 'base64');
      const settings = { header: 'X-Sig', algorithm, encoding, prefix };
      expect(hmacScheme.verify(request(settings, { 'x-sig': `${prefix}${digest}` }))).toBe(true);
      expect(
        hmacScheme.verify(request(settings, { 'x-sig': `${prefix}${digest}` }, '{"a":2}')),
      ).toBe(false);
      const unknown = createHmac(algorithm, 'unknown-secret')
        .update('{"a":1}')
        .digest(encoding as 'hex' | 'base64');
      expect(hmacScheme.verify(request(settings, { 'x-sig': `${prefix}${unknown}` }))).toBe(false);
      // Without its prefix, the header is not read as a signature.
      if (prefix) expect(hmacScheme.verify(request(settings, { 'x-sig': digest }))).toBe(false);
      expect(hmacScheme.verify(request(settings, {}))).toBe(false);
    },
  );

  it('signs `${timestamp}.${body}` and refuses a timestamp outside the tolerance', () => {
    const settings = { header: 'X-Sig', signed: 'timestamp.body', timestampHeader: 'X-Time' };
    const sign = (seconds: string) =>
      createHmac('sha256', 'the-secret').update(`${seconds}.{"a":1}`).digest('hex');
    expect(
      hmacScheme.verify(request(settings, { 'x-sig': sign(SECONDS), 'x-time': SECONDS })),
    ).toBe(true);
    const old = String(Number(SECONDS) - 301);
    expect(hmacScheme.verify(request(settings, { 'x-sig': sign(old), 'x-time': old }))).toBe(false);
    expect(hmacScheme.verify(request(settings, { 'x-sig': sign(SECONDS) }))).toBe(false);
    expect(hmacScheme.verify(request(settings, { 'x-sig': sign('1.5'), 'x-time': '1.5' }))).toBe(
      false,
    );
  });

  it('names every settings problem by its field', () => {
    expect(hmacScheme.settingsProblems?.({})).toEqual(['settings.header must be a header name']);
    expect(
      hmacScheme.settingsProblems?.({
        header: 'X Sig',
        algorithm: 'md5',
        encoding: 'base32',
        signed: 'timestamp.body',
        colour: 'blue',
      }),
    ).toEqual([
      'settings.header must be a header name',
      'settings.algorithm must be one of: sha256, sha512, sha1',
      'settings.encoding must be one of: hex, base64',
      'settings.timestampHeader must be a header name',
      'settings.colour is not a setting of scheme hmac',
    ]);
  });
});
