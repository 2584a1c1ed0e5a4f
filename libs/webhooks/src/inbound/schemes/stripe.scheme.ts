import { anySecretSigned, isFresh, jsonField, type BuiltInInboundScheme } from './inbound-scheme';

/**
 * Stripe: `Stripe-Signature: t=<seconds>,v1=<hex>[,v1=…]`, HMAC-SHA256 of `t.body` keyed with the
 * endpoint's signing secret (`whsec_…`, used as it is). Any `v1` may match (Stripe sends several
 * while a secret is rolled).
 */
export const stripeScheme: BuiltInInboundScheme = {
  name: 'stripe',
  providerIssuesSecret: true,
  keptHeaders: [],
  verify(request) {
    const header = request.headers['stripe-signature'];
    if (!header) return false;
    const pairs = header.split(',').map((pair) => pair.trim().split('='));
    const timestamp = pairs.find(([key]) => key === 't')?.[1];
    if (!isFresh(timestamp, request)) return false;
    let matched = false;
    for (const [key, value] of pairs) {
      if (key === 'v1' && anySecretSigned(request, value, {}, `${timestamp}.`, request.body)) {
        matched = true;
      }
    }
    return matched;
  },
  identify: ({ body }) => ({ id: jsonField(body, 'id'), type: jsonField(body, 'type') }),
};
