import { createHmac } from 'node:crypto';
import { WebhooksError, WebhookVerificationError } from '../webhooks.errors';
import { signWebhook, verifyWebhook, webhookHeaders } from './signature';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SECRET = `whsec_${Buffer.from('another-secret-of-24-bytes!').toString('base64')}`;
const NOW = new Date('2026-11-23T12:00:00Z');
const TIMESTAMP = Math.floor(NOW.getTime() / 1000);
const BODY = '{"type":"contact.subscribed","data":{"email":"ada@example.com"}}';

describe('signWebhook', () => {
  it('computes base64 HMAC-SHA256 of "id.timestamp.body" with the base64-decoded secret', () => {
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`msg_1.${TIMESTAMP}.${BODY}`)
      .digest('base64');
    expect(signWebhook(SECRET, { id: 'msg_1', timestamp: TIMESTAMP, body: BODY })).toBe(
      `v1,${expected}`,
    );
  });

  it('matches the Standard Webhooks reference vector', () => {
    // Vector published with the Standard Webhooks specification's reference libraries.
    const signature = signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('gives one signature per secret, space-separated', () => {
    const signature = signWebhook([SECRET, OTHER_SECRET], {
      id: 'a',
      timestamp: TIMESTAMP,
      body: BODY,
    });
    expect(signature.split(' ')).toHaveLength(2);
    expect(signature.split(' ').every((part) => part.startsWith('v1,'))).toBe(true);
  });
});

describe('verifyWebhook', () => {
  const headers = webhookHeaders(SECRET, { id: 'msg_1', timestamp: TIMESTAMP, body: BODY });

  it('accepts a genuine delivery and returns its id and time', () => {
    expect(verifyWebhook(SECRET, BODY, headers, { now: NOW })).toEqual({
      id: 'msg_1',
      timestamp: NOW,
    });
  });

  it('accepts Buffer bodies and Fetch-style Headers', () => {
    expect(
      verifyWebhook(SECRET, Buffer.from(BODY), new Headers({ ...headers }), { now: NOW }).id,
    ).toBe('msg_1');
  });

  it('reads headers case-insensitively', () => {
    const upper = Object.fromEntries(
      Object.entries(headers).map(([key, value]) => [key.toUpperCase(), value]),
    );
    expect(verifyWebhook(SECRET, BODY, upper, { now: NOW }).id).toBe('msg_1');
  });

  it('accepts when any of several signatures matches, and any of several secrets', () => {
    const both = webhookHeaders([OTHER_SECRET, SECRET], {
      id: 'msg_1',
      timestamp: TIMESTAMP,
      body: BODY,
    });
    expect(verifyWebhook(SECRET, BODY, both, { now: NOW }).id).toBe('msg_1');
    expect(verifyWebhook([OTHER_SECRET, SECRET], BODY, headers, { now: NOW }).id).toBe('msg_1');
  });

  it.each([
    ['a tampered body', { body: BODY.replace('ada', 'eve') }],
    ['another secret', { secret: OTHER_SECRET }],
    ['a changed id', { headers: { ...headers, 'webhook-id': 'msg_2' } }],
    [
      'a changed timestamp',
      { headers: { ...headers, 'webhook-timestamp': String(TIMESTAMP + 1) } },
    ],
    [
      'an unknown signature version',
      {
        headers: {
          ...headers,
          'webhook-signature': headers['webhook-signature'].replace('v1,', 'v2,'),
        },
      },
    ],
    [
      'a truncated signature',
      { headers: { ...headers, 'webhook-signature': headers['webhook-signature'].slice(0, 20) } },
    ],
    [
      'a missing signature header',
      { headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(TIMESTAMP) } },
    ],
    ['a non-numeric timestamp', { headers: { ...headers, 'webhook-timestamp': '12abc' } }],
  ])(
    'rejects %s',
    (_label, change: { body?: string; secret?: string; headers?: Record<string, string> }) => {
      expect(() =>
        verifyWebhook(change.secret ?? SECRET, change.body ?? BODY, change.headers ?? headers, {
          now: NOW,
        }),
      ).toThrow(WebhookVerificationError);
    },
  );

  it('enforces the ±5 minute tolerance by default', () => {
    const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
    expect(() => verifyWebhook(SECRET, BODY, headers, { now: at(299) })).not.toThrow();
    expect(() => verifyWebhook(SECRET, BODY, headers, { now: at(-299) })).not.toThrow();
    expect(() => verifyWebhook(SECRET, BODY, headers, { now: at(301) })).toThrow(/tolerance/);
    expect(() => verifyWebhook(SECRET, BODY, headers, { now: at(-301) })).toThrow(/tolerance/);
    expect(() =>
      verifyWebhook(SECRET, BODY, headers, { now: at(600), toleranceSeconds: 900 }),
    ).not.toThrow();
  });

  it('throws a WebhooksError like every error of the library', () => {
    const error = (() => {
      try {
        verifyWebhook(SECRET, BODY, { ...headers, 'webhook-signature': 'v1,AAAA' }, { now: NOW });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(WebhooksError);
    expect(error).toMatchObject({
      name: 'WebhookVerificationError',
      code: 'webhook_verification_failed',
      message: 'no matching signature',
    });
  });
});

describe('interoperability with the official Standard Webhooks library', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Webhook } = require('standardwebhooks') as typeof import('standardwebhooks');
  const now = Math.floor(Date.now() / 1000);

  it('its verifier accepts our signatures, including a rotation pair', () => {
    const headers = webhookHeaders([OTHER_SECRET, SECRET], {
      id: 'msg_interop',
      timestamp: now,
      body: BODY,
    });
    expect(new Webhook(SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(new Webhook(OTHER_SECRET).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(SECRET).verify(BODY.replace('ada', 'eve'), headers)).toThrow();
  });

  it('our verifier accepts its signatures', () => {
    const signature = new Webhook(SECRET).sign('msg_theirs', new Date(now * 1000), BODY);
    const headers = {
      'webhook-id': 'msg_theirs',
      'webhook-timestamp': String(now),
      'webhook-signature': signature,
    };
    expect(verifyWebhook(SECRET, BODY, headers).id).toBe('msg_theirs');
  });
});
