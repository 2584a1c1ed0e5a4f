import { githubScheme } from './github.scheme';
import { hmacScheme } from './hmac.scheme';
import type { BuiltInInboundScheme } from './inbound-scheme';
import { shopifyScheme } from './shopify.scheme';
import { standardWebhooksScheme } from './standard-webhooks.scheme';
import { stripeScheme } from './stripe.scheme';
import { basicAuthScheme, tokenScheme } from './token.scheme';
import { typeformScheme } from './typeform.scheme';

/** The schemes every module has; `inbound.schemes` adds to them. */
export const BUILT_IN_INBOUND_SCHEMES: readonly BuiltInInboundScheme[] = [
  standardWebhooksScheme,
  stripeScheme,
  shopifyScheme,
  githubScheme,
  typeformScheme,
  hmacScheme,
  tokenScheme,
  basicAuthScheme,
];
