import { afterPrefix, anySecretSigned, type BuiltInInboundScheme } from './inbound-scheme';

/** GitHub: `X-Hub-Signature-256: sha256=<hex>` of the raw body with the webhook's secret. */
export const githubScheme: BuiltInInboundScheme = {
  name: 'github',
  keptHeaders: ['x-github-delivery', 'x-github-event', 'x-github-hook-id'],
  verify: (request) =>
    anySecretSigned(
      request,
      afterPrefix(request.headers['x-hub-signature-256'], 'sha256='),
      {},
      request.body,
    ),
  identify: ({ headers }) => ({
    id: headers['x-github-delivery'] ?? null,
    type: headers['x-github-event'] ?? null,
  }),
};
