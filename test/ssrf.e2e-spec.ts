import request from 'supertest';
import type { App } from 'supertest/types';
import { In } from 'typeorm';
import {
  DisabledEndpointProber,
  WebhookAttempt,
  WebhookDelivery,
  WebhookSubscription,
} from './support/internals';
import { TestReceiver } from './support/receiver';
import { createSubscription, waitForDelivery } from './support/subscriptions';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

/**
 * The platform's own network is 127.0.0.1 here: a listener there must never be reached. The one
 * legitimate receiver lives on 127.0.0.2, which the allow-list admits, as a host would admit a
 * partner's private range.
 */
describe('outbound URL policy (SSRF)', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  let internal: TestReceiver;
  let partner: TestReceiver;
  let rebindLookups = 0;

  beforeAll(async () => {
    internal = await TestReceiver.start('127.0.0.1');
    partner = await TestReceiver.start('127.0.0.2');
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: {
        retries: { schedule: [] },
        security: {
          allowPrivateNetworks: false,
          allowedTargets: ['127.0.0.2/32'],
          resolveHost: async (hostname) => {
            if (hostname === 'private.example.com') return ['127.0.0.1'];
            if (hostname === 'mixed.example.com') return ['93.184.216.34', '10.0.0.7'];
            if (hostname === 'partner.example.com') return ['127.0.0.2'];
            // Public when the subscription is checked, loopback when the worker connects.
            if (hostname === 'rebind.example.com')
              return rebindLookups++ === 0 ? ['93.184.216.34'] : ['127.0.0.1'];
            throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
              code: 'ENOTFOUND',
            });
          },
        },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await internal.close();
    await partner.close();
  });
  afterEach(() => expect(internal.received()).toHaveLength(0));

  const port = () => internal.port;
  const create = (url: string) =>
    request(http)
      .post('/lists/ssrf/webhooks')
      .send({ url, events: ['contact.updated'] });

  it.each([
    ['loopback', () => `http://127.0.0.1:${port()}/`],
    ['loopback, decimal', () => `http://2130706433:${port()}/`],
    ['loopback, hex', () => `http://0x7f000001:${port()}/`],
    ['loopback, octal', () => `http://0177.0.0.1:${port()}/`],
    ['loopback, short', () => `http://127.1:${port()}/`],
    ['loopback, trailing dot', () => `http://127.0.0.1.:${port()}/`],
    ['localhost', () => `http://localhost:${port()}/`],
    ['localhost.localdomain', () => `http://localhost.localdomain:${port()}/`],
    ['a wildcard-DNS name of loopback', () => `http://127.0.0.1.nip.io:${port()}/`],
    ['a dashed wildcard-DNS name', () => `http://10-0-0-1.sslip.io:${port()}/`],
    ['a hex wildcard-DNS name', () => `http://app-7f000001.nip.io:${port()}/`],
    ['a .home.arpa name', () => `http://router.home.arpa:${port()}/`],
    ['an .invalid name', () => `http://hooks.invalid:${port()}/`],
    ['IPv4-mapped IPv6', () => `http://[::ffff:127.0.0.1]:${port()}/`],
    ['IPv4-compatible IPv6', () => `http://[::127.0.0.1]:${port()}/`],
    ['NAT64', () => `http://[64:ff9b::7f00:1]:${port()}/`],
    ['6to4', () => `http://[2002:7f00:1::]:${port()}/`],
    ['userinfo trick', () => `http://partner.example.com@127.0.0.1:${port()}/`],
    ['metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a name resolving to loopback', () => `http://private.example.com:${port()}/`],
    [
      'a name resolving to public and private addresses',
      () => `http://mixed.example.com:${port()}/`,
    ],
  ])('refuses %s with a 400 naming the url', async (_label, url) => {
    const response = await create(url());
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/^\["url /);
  });

  it('refuses a name that does not resolve, naming it', async () => {
    const response = await create(`http://not-yet.example.com:${port()}/`);
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([
      'url is not allowed: not-yet.example.com does not resolve',
    ]);
  });

  it('checks the address it connects to: DNS rebinding after the subscription check reaches nothing', async () => {
    const subscription = await createSubscription(hooks, 'ssrf', {
      url: `http://rebind.example.com:${port()}/`,
      events: ['contact.updated'],
    });
    await hooks.webhooks.emit({ listId: 'ssrf', type: 'contact.updated', source: 'api', data: {} });
    const delivery = await waitForDelivery(hooks, 'ssrf', subscription.id, 'exhausted');
    expect(delivery.attempts[0]).toMatchObject({ errorKind: 'address_blocked', statusCode: null });
    expect(rebindLookups).toBeGreaterThanOrEqual(2);
  });

  it('never follows a redirect towards the internal network', async () => {
    partner.respondWith((_request, response) =>
      response.writeHead(302, { location: `http://127.0.0.1:${port()}/admin` }).end(),
    );
    const subscription = await createSubscription(hooks, 'ssrf-redirect', {
      url: partner.url('/hook'),
      events: ['contact.updated'],
    });
    await hooks.webhooks.emit({
      listId: 'ssrf-redirect',
      type: 'contact.updated',
      source: 'api',
      data: {},
    });
    const delivery = await waitForDelivery(hooks, 'ssrf-redirect', subscription.id, 'exhausted');
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 302, errorKind: 'http_status' });
    expect(partner.received('/hook')).toHaveLength(1);
  });

  it('delivers to allow-listed targets, by address or by a name that resolves into them', async () => {
    partner.respondWith((_request, response) => response.writeHead(204).end());
    const direct = await createSubscription(hooks, 'ssrf-ok', {
      url: partner.url('/direct'),
      events: ['contact.updated'],
    });
    const named = await createSubscription(hooks, 'ssrf-ok', {
      url: `http://partner.example.com:${partner.port}/named`,
      events: ['contact.updated'],
    });
    await hooks.webhooks.emit({
      listId: 'ssrf-ok',
      type: 'contact.updated',
      source: 'api',
      data: {},
    });
    await waitForDelivery(hooks, 'ssrf-ok', direct.id, 'succeeded');
    await waitForDelivery(hooks, 'ssrf-ok', named.id, 'succeeded');
  });
});

describe('httpsOnly and limits', () => {
  let hooks: WebhooksTestApp;
  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'sqlite',
      options: {
        security: {
          allowPrivateNetworks: false,
          httpsOnly: true,
          resolveHost: async () => ['93.184.216.34'],
        },
        limits: { maxSubscriptionsPerList: 2 },
      },
    });
  });
  afterAll(() => hooks.close());

  it('refuses plain http receivers', async () => {
    const response = await request(hooks.app.getHttpServer() as App)
      .post('/lists/tls/webhooks')
      .send({ url: 'http://hooks.example.com/in', events: ['contact.updated'] });
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual(['url is not allowed: only https URLs are accepted']);
  });

  it('caps the subscriptions of a list', async () => {
    const http = hooks.app.getHttpServer() as App;
    const body = { url: 'https://hooks.example.com/in', events: ['contact.updated'] };
    await request(http).post('/lists/capped/webhooks').send(body).expect(201);
    await request(http).post('/lists/capped/webhooks').send(body).expect(201);
    const third = await request(http).post('/lists/capped/webhooks').send(body);
    expect(third.status).toBe(409);
    expect(third.body.message).toEqual([
      'listId already has the maximum of 2 webhook subscriptions',
    ]);
    await request(http).post('/lists/other/webhooks').send(body).expect(201);
  });
});

/**
 * Every way a request leaves applies the policy the subscription was saved under: the test ping, the
 * ownership challenge, a scheduled delivery and the self-healing probe. Each subscription is saved
 * under a name that resolves publicly once (the save-time check) and to the platform's loopback
 * afterwards, or its stored URL is then changed to one the policy now refuses without any lookup, as
 * a row saved by an older version would be. Nothing may reach the loopback listener.
 */
describe('the policy on every send path', () => {
  let hooks: WebhooksTestApp;
  let http: App;
  let internal: TestReceiver;
  const lookups = new Map<string, number>();

  beforeAll(async () => {
    internal = await TestReceiver.start('127.0.0.1');
    hooks = await createWebhooksApp({
      database: 'postgres',
      options: {
        retries: { schedule: [] },
        security: {
          allowPrivateNetworks: false,
          resolveHost: async (hostname) => {
            const seen = lookups.get(hostname) ?? 0;
            lookups.set(hostname, seen + 1);
            if (hostname.endsWith('.turns-private.example.com'))
              return seen === 0 ? ['93.184.216.34'] : ['127.0.0.1'];
            throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
              code: 'ENOTFOUND',
            });
          },
        },
      },
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await hooks.close();
    await internal.close();
  });

  const subscriptions = () => hooks.dataSource.getRepository(WebhookSubscription);

  async function attemptsOf(subscriptionId: string): Promise<WebhookAttempt[]> {
    const deliveries = await hooks.dataSource
      .getRepository(WebhookDelivery)
      .findBy({ subscriptionId });
    return hooks.dataSource
      .getRepository(WebhookAttempt)
      .findBy({ deliveryId: In(deliveries.map((delivery) => delivery.id)) });
  }

  it.each([
    ['its name resolves to loopback after it was saved', null, /resolves to a non-public address/],
    [
      'its stored URL is now refused statically',
      'http://127.0.0.1.nip.io',
      /embed a non-public address/,
    ],
  ])('refuses when %s: test ping, challenge, delivery and probe', async (_case, storedAs, why) => {
    const listId = `paths-${storedAs ? 'static' : 'resolved'}`;
    const subscription = await createSubscription(hooks, listId, {
      url: `http://${listId}.turns-private.example.com:${internal.port}/hook`,
      events: ['contact.updated'],
    });
    if (storedAs) {
      await subscriptions().update(subscription.id, { url: `${storedAs}:${internal.port}/hook` });
    }
    const base = `/lists/${listId}/webhooks/${subscription.id}`;

    const ping = await request(http).post(`${base}/test`).expect(200);
    expect(ping.body).toMatchObject({ delivered: false, statusCode: null });
    expect(ping.body.error).toMatch(why);

    await subscriptions().update(subscription.id, {
      status: 'pending_verification',
      verificationChallenge: 'challenge',
    });
    const challenge = await request(http).post(`${base}/verify`).expect(200);
    expect(challenge.body).toMatchObject({ delivered: false, status: 'pending_verification' });

    await subscriptions().update(subscription.id, { status: 'active' });
    await hooks.webhooks.emit({ listId, type: 'contact.updated', source: 'api', data: {} });
    await waitForDelivery(hooks, listId, subscription.id, 'exhausted');

    await subscriptions().update(subscription.id, {
      status: 'disabled',
      disabledAt: new Date(Date.now() - 60_000),
      lastProbedAt: null,
    });
    const probes = await hooks.app.get(DisabledEndpointProber).probeDisabled();
    expect(probes.reenabled).toBe(0);

    const attempts = await attemptsOf(subscription.id);
    expect(attempts.map((attempt) => attempt.trigger).sort()).toEqual([
      'probe',
      'scheduled',
      'test',
      'verification',
    ]);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ errorKind: 'address_blocked', statusCode: null });
      expect(attempt.errorMessage).toMatch(why);
    }
    expect(internal.received()).toHaveLength(0);
  });
});
