import { anySecretSigned, type BuiltInInboundScheme } from './inbound-scheme';

/** Shopify: `X-Shopify-Hmac-Sha256`, base64 of HMAC-SHA256 of the raw body with the app's secret. */
export const shopifyScheme: BuiltInInboundScheme = {
  name: 'shopify',
  providerIssuesSecret: true,
  keptHeaders: [
    'x-shopify-webhook-id',
    'x-shopify-event-id',
    'x-shopify-topic',
    'x-shopify-shop-domain',
  ],
  verify: (request) =>
    anySecretSigned(
      request,
      request.headers['x-shopify-hmac-sha256'],
      { encoding: 'base64' },
      request.body,
    ),
  identify: ({ headers }) => ({
    id: headers['x-shopify-webhook-id'] ?? headers['x-shopify-event-id'] ?? null,
    type: headers['x-shopify-topic'] ?? null,
  }),
};
