import {
  resolveWebhooksOptions,
  WEBHOOKS_DEFAULTS,
  type WebhooksModuleOptions,
} from './webhooks.options';

describe('resolveWebhooksOptions', () => {
  it('gives every default for no options at all', () => {
    const resolved = resolveWebhooksOptions({});
    expect(resolved).toMatchObject({
      worker: true,
      concurrency: WEBHOOKS_DEFAULTS.delivery.concurrency,
      retrySchedule: WEBHOOKS_DEFAULTS.retries.schedule,
      retryJitter: WEBHOOKS_DEFAULTS.retries.jitter,
      verifyEndpointOnCreate: WEBHOOKS_DEFAULTS.endpoints.verifyOnCreate,
      stuckAfterMs: WEBHOOKS_DEFAULTS.health.stuckAfterMs,
      metrics: false,
    });
    expect(resolved.resolveTenant({ headers: {} })).toBe('default');
  });

  it('reads each group, and keeps the default of what a group leaves out or sets to undefined', () => {
    const resolved = resolveWebhooksOptions({
      delivery: { concurrency: 7, requestTimeoutMs: undefined },
      retries: { schedule: [1, 2] },
      endpoints: { verifyOnCreate: true },
      limits: { maxSubscriptionsPerList: 3 },
    });
    expect(resolved).toMatchObject({
      concurrency: 7,
      requestTimeoutMs: WEBHOOKS_DEFAULTS.delivery.requestTimeoutMs,
      retrySchedule: [1, 2],
      retryJitter: WEBHOOKS_DEFAULTS.retries.jitter,
      verifyEndpointOnCreate: true,
      maxSubscriptionsPerList: 3,
      maxPayloadBytes: WEBHOOKS_DEFAULTS.limits.maxPayloadBytes,
    });
  });

  it('never hands out the defaults object itself', () => {
    const resolved = resolveWebhooksOptions({});
    resolved.retrySchedule.push(1);
    expect(WEBHOOKS_DEFAULTS.retries.schedule).toHaveLength(7);
    expect(Object.isFrozen(WEBHOOKS_DEFAULTS.delivery)).toBe(true);
  });

  it('names the grouped path of an invalid value', () => {
    expect(() =>
      resolveWebhooksOptions({ delivery: { concurrency: 0 }, retries: { jitter: 1 } }),
    ).toThrow(
      'Invalid WebhooksModule options: delivery.concurrency must be a positive number; ' +
        'retries.jitter must be between 0 (inclusive) and 1',
    );
  });

  it("says where 0.1's flat options went instead of ignoring them", () => {
    const flat = { concurrency: 5, retrySchedule: [], verifyEndpointOnCreate: true };
    expect(() => resolveWebhooksOptions(flat as WebhooksModuleOptions)).toThrow(
      'concurrency is now delivery.concurrency; retrySchedule is now retries.schedule; ' +
        'verifyEndpointOnCreate is now endpoints.verifyOnCreate',
    );
  });

  it('refuses unknown options and groups that are not objects', () => {
    const wrong = { delivery: { speed: 1 }, limits: 5, colour: 'red' };
    expect(() => resolveWebhooksOptions(wrong as unknown as WebhooksModuleOptions)).toThrow(
      'delivery.speed is not an option; limits must be an object; colour is not an option',
    );
  });
  it('accepts a key ring and refuses bad ids and keys without quoting them', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(
      resolveWebhooksOptions({
        security: {
          encryptionKeys: [
            { id: 'k2', key },
            { id: 'k1', key: key.replace(/=$/, '') },
          ],
        },
      }).encryptionKeys.map((entry) => entry.id),
    ).toEqual(['k2', 'k1']);
    const short = Buffer.alloc(16, 7).toString('base64');
    expect(() =>
      resolveWebhooksOptions({
        security: {
          encryptionKeys: [
            { id: 'a:b', key },
            { id: 'k1', key: short },
            { id: 'k1', key },
          ],
        },
      }),
    ).toThrow(
      'Invalid WebhooksModule options: security.encryptionKeys[0].id must be 1 to 32 letters, ' +
        'digits, _ or -; security.encryptionKeys[1].key must be 32 bytes in base64; ' +
        'security.encryptionKeys[2].id repeats "k1"',
    );
    expect(() =>
      resolveWebhooksOptions({ security: { encryptionKeys: [{ id: 'k1', key: short }] } }),
    ).not.toThrow(new RegExp(short.slice(0, 8)));
  });

  it('checks the portal options: keys, lifetimes, framing origins and theme values', () => {
    const secret = 'p'.repeat(32);
    expect(
      resolveWebhooksOptions({
        portal: {
          signingKeys: [{ id: 'k1', secret }],
          frameAncestors: ['https://app.example.com', 'https://*.example.com:8443', "'self'"],
          theme: { primary: '#0a7', font: '"Inter", sans-serif', radius: '6px' },
        },
      }).portalFrameAncestors,
    ).toHaveLength(3);
    expect(() =>
      resolveWebhooksOptions({
        portal: {
          signingKeys: [{ id: 'k1', secret: 'short' }],
          sessionTtlMs: 10,
          maxSessionTtlMs: 5,
          frameAncestors: ['https://ok.example.com; script-src *'],
          theme: { primary: 'red; } body { display: none' },
        },
      }),
    ).toThrow(
      'Invalid WebhooksModule options: portal.signingKeys[0].secret must be a string of at least ' +
        '32 characters; portal.sessionTtlMs must not exceed portal.maxSessionTtlMs; ' +
        "portal.frameAncestors must be origins such as 'https://app.example.com', " +
        `'https://*.example.com' or "'self'"; portal.theme.primary must be a CSS value without ; { } < > \\ or line breaks`,
    );
    expect(() =>
      resolveWebhooksOptions({
        portal: { signingKeys: [{ id: 'k1', secret }], theme: { color: 'x' } as never },
      }),
    ).toThrow('portal.theme.color is not an option');
  });

  it('checks the inbound options: sizes, times, the retry schedule and added schemes', () => {
    const scheme = { name: 'acme-signature', verify: () => true };
    expect(resolveWebhooksOptions({ inbound: { schemes: [scheme] } }).inboundSchemes).toEqual([
      scheme,
    ]);
    expect(() =>
      resolveWebhooksOptions({
        inbound: {
          maxBodyBytes: 0,
          retrySchedule: [1_000, -1],
          schemes: [{ name: 'Not A Name', verify: 'yes' } as never],
        },
      }),
    ).toThrow(
      'Invalid WebhooksModule options: inbound.maxBodyBytes must be a positive number; ' +
        'inbound.retrySchedule must contain delays in ms, each >= 0; ' +
        'inbound.schemes[0].name must be 1 to 32 lower-case letters, digits or -; ' +
        'inbound.schemes[0].verify must be a function',
    );
  });
});
