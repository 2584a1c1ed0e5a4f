import { PortalSessionError } from '../webhooks.errors';
import {
  isPortalToken,
  signPortalToken,
  verifyPortalToken,
  type PortalClaims,
} from './portal-token';

const KEY = { id: 'k1', secret: 's'.repeat(32) };
const NEXT_KEY = { id: 'k2', secret: 'n'.repeat(32) };
const NOW = new Date('2026-12-06T10:00:00Z');
const CLAIMS: PortalClaims = {
  sub: 'acme',
  lists: [{ id: '1', name: 'Newsletter' }],
  readOnly: false,
  locale: 'de',
  theme: null,
  iat: NOW.getTime() / 1000,
  exp: NOW.getTime() / 1000 + 60,
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof PortalSessionError
      ? error.code
      : `not a PortalSessionError: ${String(error)}`;
  }
}

describe('portal tokens', () => {
  it('round-trips the claims with any key of the ring', () => {
    const token = signPortalToken(CLAIMS, KEY);
    expect(isPortalToken(token)).toBe(true);
    expect(verifyPortalToken(token, [NEXT_KEY, KEY], NOW)).toEqual(CLAIMS);
  });

  it('is a JWT typed for the portal, so that a host JWT is never taken for one', () => {
    const [header] = signPortalToken(CLAIMS, KEY).split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
      alg: 'HS256',
      typ: 'webhooks-portal+jwt',
      kid: 'k1',
    });
    const hostJwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.e30.sig`;
    expect(isPortalToken(hostJwt)).toBe(false);
    expect(isPortalToken('not a token')).toBe(false);
  });

  it('expires at exp, not a second later', () => {
    const token = signPortalToken(CLAIMS, KEY);
    expect(codeOf(() => verifyPortalToken(token, [KEY], new Date(NOW.getTime() + 59_999)))).toBe(
      undefined,
    );
    expect(codeOf(() => verifyPortalToken(token, [KEY], new Date(NOW.getTime() + 60_000)))).toBe(
      'portal_session_expired',
    );
  });

  it.each([
    ['no key of the ring', (token: string) => token, [NEXT_KEY]],
    ['three segments missing', () => 'abc', [KEY]],
    [
      'a payload that is not JSON',
      (token: string) => token.replace(/\.[^.]+\./, '.bm90IGpzb24.'),
      [KEY],
    ],
    ['a signature of another length', (token: string) => `${token}A`, [KEY]],
  ])('refuses a token with %s', (_, change, keys) => {
    const token = change(signPortalToken(CLAIMS, KEY));
    expect(codeOf(() => verifyPortalToken(token, keys, NOW))).toBe('portal_session_invalid');
  });

  it('refuses signed claims of the wrong shape', () => {
    const token = signPortalToken(
      { ...CLAIMS, lists: [{ id: 1 }] } as unknown as PortalClaims,
      KEY,
    );
    expect(codeOf(() => verifyPortalToken(token, [KEY], NOW))).toBe('portal_session_invalid');
  });
});
