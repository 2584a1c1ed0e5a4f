import { sign as signGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import type { App } from 'supertest/types';
import {
  createEndpoint,
  postInbound,
  RecordingInboundHandler,
  storedEvents,
} from './support/inbound';
import { createWebhooksApp, type WebhooksTestApp } from './support/webhooks-app';

const stripe = new Stripe('sk_test_not_used');
const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER_SW_SECRET = 'whsec_b3RoZXIgc2VjcmV0IG9mIDMyIGJ5dGVzIGxvbmcgISE=';
const SIX_MINUTES_S = 6 * 60;

/**
 * Shopify: HMAC-SHA256 of the raw body with the app's client secret, base64, in X-Shopify-Hmac-Sha256
 * (shopify.dev, "Verify webhooks"). Computed apart from our code, with
 * `openssl dgst -sha256 -hmac 'shpss_test_secret_0123456789' -binary body.json | base64`.
 */
const SHOPIFY = {
  secret: 'shpss_test_secret_0123456789',
  body: '{"id":820982911946154500,"email":"jon@example.com","total_price":"19.99"}',
  hmac: 'HnwyyqOE1IBCeadXnUExrNXQ1Z8MnaQoC6RT65OrCts=',
};

/**
 * Typeform: `sha256=` + base64 of HMAC-SHA256 of the raw body with the webhook's secret, in
 * Typeform-Signature (typeform.com developers, "Secure your webhooks"). Computed with
 * `openssl dgst -sha256 -hmac 'typeform-test-secret' -binary body.json | base64`.
 */
const TYPEFORM = {
  secret: 'typeform-test-secret',
  body: '{"event_id":"01HW1YQ8N3EXAMPLE","event_type":"form_response","form_response":{"form_id":"lT4Z3j","answers":[{"type":"email","email":"ada@example.com"}]}}',
  signature: 'sha256=Gy2sQGBxaWqVdH9Jotxcj2Snx+11C5Pb2s5sxTaGtAo=',
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('inbound verification: signatures made by the providers’ own libraries', () => {
  let hooks: WebhooksTestApp;
  let http: App;

  beforeAll(async () => {
    hooks = await createWebhooksApp({
      database: 'postgres',
      appOptions: { rawBody: true },
      providers: [RecordingInboundHandler],
    });
    http = hooks.app.getHttpServer() as App;
  });
  afterAll(() => hooks.close());

  /** Refusals first, then the genuine request: only it is stored. */
  async function expectOnlyGenuineStored(
    endpoint: { id: string; path: string },
    refused: Array<[string, string, Record<string, string>]>,
    genuine: [string, Record<string, string>],
  ) {
    for (const [why, body, headers] of refused) {
      const answer = await postInbound(http, endpoint.path, body, headers);
      expect({ why, status: answer.status, body: answer.text }).toMatchObject({ why, status: 401 });
      expect(answer.text).not.toMatch(/signature|secret|timestamp/i);
    }
    expect(await storedEvents(hooks, endpoint.id)).toHaveLength(0);
    await postInbound(http, endpoint.path, ...genuine).expect(200);
    const stored = await storedEvents(hooks, endpoint.id);
    expect(stored).toHaveLength(1);
    expect(stored[0].body).toBe(genuine[0]);
    return stored[0];
  }

  it('stripe: the stripe package’s test header, with its timestamp tolerance', async () => {
    const secret = 'whsec_stripe_test_0123456789';
    const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'stripe', secret });
    const body = JSON.stringify({ id: 'evt_1', type: 'customer.created', data: { object: {} } });
    const header = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
      stripe.webhooks.generateTestHeaderString({ payload, secret, ...options });
    const stored = await expectOnlyGenuineStored(
      endpoint,
      [
        ['tampered body', body.replace('evt_1', 'evt_2'), { 'stripe-signature': header(body) }],
        [
          'wrong secret',
          body,
          { 'stripe-signature': header(body, { secret: 'whsec_other_0123456' }) },
        ],
        [
          'old timestamp',
          body,
          { 'stripe-signature': header(body, { timestamp: nowSeconds() - SIX_MINUTES_S }) },
        ],
        ['missing header', body, {}],
      ],
      [body, { 'stripe-signature': header(body) }],
    );
    expect(stored).toMatchObject({ providerEventId: 'evt_1', type: 'customer.created' });
  });

  it('standard-webhooks: the standardwebhooks package (as Svix and our own deliveries sign)', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'standard-webhooks',
      secret: SW_SECRET,
    });
    const body = JSON.stringify({ type: 'contact.subscribed', data: { email: 'ada@example.com' } });
    const signed = (payload: string, secret = SW_SECRET, at = new Date()) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_1', at, payload),
    });
    const { 'webhook-signature': _signature, ...unsigned } = signed(body);
    const stored = await expectOnlyGenuineStored(
      endpoint,
      [
        ['tampered body', `${body} `, signed(body)],
        ['wrong secret', body, signed(body, OTHER_SW_SECRET)],
        [
          'old timestamp',
          body,
          signed(body, SW_SECRET, new Date(Date.now() - SIX_MINUTES_S * 1000)),
        ],
        ['missing header', body, unsigned],
      ],
      [body, signed(body)],
    );
    expect(stored).toMatchObject({ providerEventId: 'msg_1', type: 'contact.subscribed' });
  });

  it('github: @octokit/webhooks-methods', async () => {
    const secret = 'github-test-secret';
    const endpoint = await createEndpoint(hooks, 'acme', { scheme: 'github', secret });
    const body = JSON.stringify({ action: 'opened', number: 1 });
    const headers = async (payload: string, key = secret) => ({
      'x-hub-signature-256': await signGithub(key, payload),
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-github-event': 'pull_request',
    });
    const stored = await expectOnlyGenuineStored(
      endpoint,
      [
        ['tampered body', body.replace('1', '2'), await headers(body)],
        ['wrong secret', body, await headers(body, 'another-secret')],
        ['missing header', body, { 'x-github-event': 'pull_request' }],
      ],
      [body, await headers(body)],
    );
    expect(stored).toMatchObject({
      providerEventId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      type: 'pull_request',
    });
  });

  it('shopify: a fixed vector of its documented algorithm', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'shopify',
      secret: SHOPIFY.secret,
    });
    const headers = {
      'x-shopify-hmac-sha256': SHOPIFY.hmac,
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    };
    const other = await createEndpoint(hooks, 'acme', {
      scheme: 'shopify',
      secret: 'shpss_another_secret',
    });
    await postInbound(http, other.path, SHOPIFY.body, headers).expect(401);
    const { 'x-shopify-hmac-sha256': _hmac, ...unsigned } = headers;
    const stored = await expectOnlyGenuineStored(
      endpoint,
      [
        ['tampered body', SHOPIFY.body.replace('19.99', '0.01'), headers],
        ['missing header', SHOPIFY.body, unsigned],
      ],
      [SHOPIFY.body, headers],
    );
    expect(stored).toMatchObject({
      providerEventId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      type: 'orders/create',
    });
    expect(await storedEvents(hooks, other.id)).toHaveLength(0);
  });

  it('typeform: a fixed vector of its documented algorithm', async () => {
    const endpoint = await createEndpoint(hooks, 'acme', {
      scheme: 'typeform',
      secret: TYPEFORM.secret,
    });
    const other = await createEndpoint(hooks, 'acme', {
      scheme: 'typeform',
      secret: 'another-typeform-secret',
    });
    const headers = { 'typeform-signature': TYPEFORM.signature };
    await postInbound(http, other.path, TYPEFORM.body, headers).expect(401);
    const stored = await expectOnlyGenuineStored(
      endpoint,
      [
        ['tampered body', TYPEFORM.body.replace('ada@', 'eve@'), headers],
        ['missing header', TYPEFORM.body, {}],
      ],
      [TYPEFORM.body, headers],
    );
    expect(stored).toMatchObject({ providerEventId: '01HW1YQ8N3EXAMPLE', type: 'form_response' });
  });
});
