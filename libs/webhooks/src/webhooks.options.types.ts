import type { IncomingHttpHeaders } from 'node:http';

/** The types that options are made of (event types, keys, the portal's lists, inbound schemes). */

export interface WebhookEventTypeDefinition {
  /** Dotted name, e.g. `contact.tagged`. */
  type: string;
  /** One line shown to the people who subscribe. */
  description: string;
  /** Example `data`, rendered by the template preview. */
  sample?: Record<string, unknown>;
}

/** What `resolveTenant` receives: the incoming admin request (Express or Fastify). */
export interface WebhooksAdminRequest {
  headers: IncomingHttpHeaders;
  params?: Record<string, string>;
  user?: unknown;
  [key: string]: unknown;
}

/** A key of `security.encryptionKeys`. */
export interface EncryptionKey {
  /** Names the key in every value it encrypts: letters, digits, `_` and `-`, up to 32. */
  id: string;
  /** 32 random bytes in base64 (`openssl rand -base64 32`). */
  key: string;
}

/** A key of `portal.signingKeys`: the first signs portal links, every key verifies them. */
export interface PortalSigningKey {
  /** Names the key in every link it signs: letters, digits, `_` and `-`, up to 32. */
  id: string;
  /** At least 32 characters of randomness (`openssl rand -base64 32`). */
  secret: string;
}

/** A list as the portal shows it. */
export interface PortalList {
  id: string;
  name: string;
}

/** The portal's look: CSS values (a colour, a font-family, a length). */
export interface PortalTheme {
  primary?: string;
  font?: string;
  radius?: string;
}

/** A verification scheme for senders the built-in ones do not cover (see `InboundVerificationScheme`). */
export interface InboundSchemeDefinition {
  /** Names the scheme in an endpoint's `scheme`: lower-case letters, digits and `-`, up to 32. */
  readonly name: string;
  /** Whether the request is authentic: compare in constant time, on `request.body`'s bytes. */
  verify(request: InboundSchemeRequest): boolean;
  /** The provider's event id and type, read once the request is verified. */
  identify?(request: InboundSchemeRequest): { id?: string | null; type?: string | null };
  /** Headers kept with the stored event, lower-case (besides the ones `identify` reads). */
  readonly keptHeaders?: readonly string[];
}

/** What a scheme is given for one request. */
export interface InboundSchemeRequest {
  /** The raw body, exactly as received. */
  body: Buffer;
  /** Request headers, lower-case names, one value each. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The endpoint's secret, and the previous one during a rotation's grace period. */
  secrets: readonly string[];
  /** The endpoint's `settings`. */
  settings: Readonly<Record<string, string>>;
  now: Date;
  /** `inbound.timestampToleranceMs`, for schemes that sign a timestamp. */
  toleranceMs: number;
}

/** A prom-client `Registry` (typed structurally so that prom-client stays optional). */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  registerMetric(metric: never): void;
}
