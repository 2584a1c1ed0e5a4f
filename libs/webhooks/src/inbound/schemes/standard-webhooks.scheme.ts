import { randomBytes } from 'node:crypto';
import { verifyWebhook } from '../../signing/signature';
import { jsonField, type BuiltInInboundScheme } from './inbound-scheme';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` (`v1,<base64>` of `id.timestamp.body`). Svix signs this way, and so does this
 * module's own delivery. Secrets are `whsec_` + base64.
 */
export const standardWebhooksScheme: BuiltInInboundScheme = {
  name: 'standard-webhooks',
  keptHeaders: ['webhook-id', 'webhook-timestamp', 'svix-id'],
  verify(request) {
    try {
      verifyWebhook(request.secrets, request.body, request.headers, {
        toleranceSeconds: Math.floor(request.toleranceMs / 1000),
        now: request.now,
      });
      return true;
    } catch {
      return false;
    }
  },
  identify: ({ body, headers }) => ({
    id: headers['webhook-id'] ?? null,
    type: jsonField(body, 'type') ?? jsonField(body, 'eventType'),
  }),
  secretProblem: (secret) =>
    /^(?:whsec_)?[A-Za-z0-9+/]{22,}={0,2}$/.test(secret)
      ? null
      : 'secret must be whsec_ followed by base64 (at least 16 bytes) for scheme standard-webhooks',
  generateSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
};
