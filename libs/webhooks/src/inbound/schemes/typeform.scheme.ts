import {
  afterPrefix,
  anySecretSigned,
  jsonField,
  type BuiltInInboundScheme,
} from './inbound-scheme';

/** Typeform: `Typeform-Signature: sha256=<base64>` of HMAC-SHA256 of the raw body. */
export const typeformScheme: BuiltInInboundScheme = {
  name: 'typeform',
  keptHeaders: [],
  verify: (request) =>
    anySecretSigned(
      request,
      afterPrefix(request.headers['typeform-signature'], 'sha256='),
      { encoding: 'base64' },
      request.body,
    ),
  identify: ({ body }) => ({
    id: jsonField(body, 'event_id'),
    type: jsonField(body, 'event_type'),
  }),
};
