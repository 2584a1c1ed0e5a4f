import type { CanActivate, Type } from '@nestjs/common';
import { WEBHOOKS_DEFAULTS } from './webhooks.options.defaults';
import { assertKnownOptions, assertValidOptions } from './webhooks.options.validation';
import type {
  EncryptionKey,
  InboundSchemeDefinition,
  MetricsRegistry,
  PortalList,
  PortalSigningKey,
  PortalTheme,
  WebhookEventTypeDefinition,
  WebhooksAdminRequest,
} from './webhooks.options.types';

export { WEBHOOKS_DEFAULTS };

export * from './webhooks.options.types';

/**
 * What `forRoot` / `forRootAsync` accept. Every option is optional: its default is in
 * `WEBHOOKS_DEFAULTS` (webhooks.options.defaults.ts), the README's options table is checked against it.
 */
export interface WebhooksModuleOptions {
  /** Event types added to the built-in catalogue. */
  eventTypes?: WebhookEventTypeDefinition[];
  /** Run the delivery worker in this process; `false` gives an API-only process. */
  worker?: boolean;
  /**
   * PostgreSQL: send the emit's statement as a named prepared statement, parsed and planned once per
   * connection. `false` behind a pooler that does not keep them (PgBouncer in transaction mode before
   * 1.21, or without `max_prepared_statements`).
   */
  preparedStatements?: boolean;
  /** The admin REST routes. */
  admin?: {
    /** Returns the tenant (account) an admin request belongs to. */
    resolveTenant?: (request: WebhooksAdminRequest) => string | Promise<string>;
    /** Guards run before every admin route (classes are resolved from the host's container). */
    guards?: Array<Type<CanActivate> | CanActivate>;
    /**
     * Whether the tenant has this list: a subscription to a list it has not is refused (404
     * `list_not_found`), from the API and from code. Not asked for the all-lists scope (`*`).
     */
    listExists?: (tenantId: string, listId: string) => boolean | Promise<boolean>;
  };
  /** How this process sends. */
  delivery?: {
    /** HTTP requests in flight at once, and Bull jobs run at once. */
    concurrency?: number;
    /** Time allowed to open the connection, in ms. */
    connectTimeoutMs?: number;
    /** Time allowed for the whole request and response, in ms. */
    requestTimeoutMs?: number;
    /** Bytes of the receiver's response body read and kept with an attempt. */
    maxResponseBodyBytes?: number;
    /** Sockets per receiver origin, so one slow endpoint cannot take every socket. */
    maxConnectionsPerOrigin?: number;
    /** Deliveries to one origin in flight at once; one until it first answers and while it times out. */
    maxInFlightPerOrigin?: number;
    /** `User-Agent` header of deliveries. */
    userAgent?: string;
    /** How often each worker re-enqueues due deliveries that lost their job, in ms (0: never). */
    relayIntervalMs?: number;
    /** Send the attempt span's W3C `traceparent` header to receivers (with an OpenTelemetry SDK). */
    propagateTraceContext?: boolean;
    /** A worker runs its own emits' first attempts itself (no Redis), as far as its concurrency allows. */
    localFirstAttempts?: boolean;
  };
  /** When failed attempts are tried again. */
  retries?: {
    /** Delays in ms before each retry, after the immediate first attempt. */
    schedule?: number[];
    /** Random spread applied to each delay (0.2 = ±20%). */
    jitter?: number;
    /** Longest `Retry-After` honoured, in ms; longer ones are cut to this. */
    maxRetryAfterMs?: number;
  };
  /** Where deliveries may go (SSRF policy), and signing secrets. */
  security?: {
    /** Allow receivers on loopback and private networks (development, tests). */
    allowPrivateNetworks?: boolean;
    /** CIDRs (`10.1.0.0/16`), addresses or host names allowed although not public. */
    allowedTargets?: string[];
    /** Refuse plain `http:` receivers (production). */
    httpsOnly?: boolean;
    /** Accept a receiver whose host name does not resolve yet when it is saved (refused by default). */
    allowUnresolvedHosts?: boolean;
    /** Resolves a host name to its addresses; every address is checked. */
    resolveHost?: (hostname: string) => Promise<string[]>;
    /** How long the previous secret keeps signing after a rotation, in ms. */
    secretRotationGraceMs?: number;
    /**
     * Encrypts signing secrets and custom header values at rest (AES-256-GCM). The first key
     * encrypts, every key decrypts; workers re-encrypt older rows with the first one.
     */
    encryptionKeys?: EncryptionKey[];
  };
  /** Endpoint health: auto-disable, re-enable, ownership check. */
  endpoints?: {
    /** Disable a subscription whose attempts have all failed for this long (ms)… */
    autoDisableAfterMs?: number;
    /** …and at least this many times in a row. */
    autoDisableMinFailures?: number;
    /** How recent a successful test ping must be to re-enable a disabled subscription, in ms. */
    reenableTestWindowMs?: number;
    /** Probe disabled endpoints this often (ms) and re-enable those that answer 2xx (0: never). */
    probeDisabledEveryMs?: number;
    /** New (and re-pointed) subscriptions start `pending_verification` until they echo a challenge. */
    verifyOnCreate?: boolean;
  };
  /** Sizes and counts accepted. */
  limits?: {
    /** Largest serialized `data` accepted by `emit`, in bytes. */
    maxPayloadBytes?: number;
    /** Subscriptions one list may have. */
    maxSubscriptionsPerList?: number;
  };
  /** What `WebhooksHealthService` reports. */
  health?: {
    /** The queue is reported stuck when the oldest due delivery is overdue by more than this (ms). */
    stuckAfterMs?: number;
  };
  /** How long the delivery history (events, deliveries, attempts) is kept; workers prune it. */
  retention?: {
    /** Keep events whose deliveries all succeeded (and events without deliveries) this long, in ms (0: forever). */
    settledAfterMs?: number;
    /** Keep events with deliveries that failed for good (exhausted) this long, in ms (0: forever). */
    failedAfterMs?: number;
    /** How often one worker prunes, in ms (0: never). */
    pruneEveryMs?: number;
    /** Events looked at, and deleted with their deliveries and attempts, per short transaction. */
    batchSize?: number;
  };
  /** The customer portal: a page for the platform's customers, opened by a signed link. */
  portal?: {
    /** Keys that sign portal links; the first signs, all verify. None: no portal. */
    signingKeys?: PortalSigningKey[];
    /** How long a portal link stays valid when `createSession` does not say, in ms. */
    sessionTtlMs?: number;
    /** Longest `expiresInMs` that `createSession` accepts, in ms. */
    maxSessionTtlMs?: number;
    /** Origins allowed to frame the portal (CSP `frame-ancestors`); every other one is refused. */
    frameAncestors?: string[];
    /** The look: `primary` colour, `font` family, `radius`, as CSS values. */
    theme?: PortalTheme;
    /** The tenant's lists, for sessions created without `lists` (every list of the tenant). */
    resolveLists?: (tenantId: string) => PortalList[] | Promise<PortalList[]>;
  };
  /** Webhooks received from other services (Stripe, Shopify, GitHub, Typeform…). */
  inbound?: {
    /** Largest request body accepted, in bytes; larger ones are answered 413. */
    maxBodyBytes?: number;
    /** How far a signed timestamp may be from this server's clock, in ms. */
    timestampToleranceMs?: number;
    /** Without a provider event id, the same body within this window is a duplicate, in ms. */
    duplicateWindowMs?: number;
    /** Delays in ms before each retry of a failed handler, after the first attempt. */
    retrySchedule?: number[];
    /** Inbound events processed at once per worker. */
    concurrency?: number;
    /** How long a worker holds an event it processes before another may take it, in ms. */
    processingTimeoutMs?: number;
    /** Verification schemes added to the built-in ones. */
    schemes?: InboundSchemeDefinition[];
  };
  /**
   * Prometheus metrics through prom-client (an optional peer): `true` registers them in prom-client's
   * default registry; or give your own `registry` and a name `prefix` (`webhooks_` if not given).
   */
  metrics?: boolean | { registry?: MetricsRegistry; prefix?: string };
}

type OptionGroup =
  | 'admin'
  | 'delivery'
  | 'retries'
  | 'security'
  | 'endpoints'
  | 'limits'
  | 'health'
  | 'retention'
  | 'portal'
  | 'inbound';

/** Every option with its default: groups complete, arrays read-only. */
export type WebhooksOptionDefaults = {
  readonly [K in keyof WebhooksModuleOptions]-?: K extends OptionGroup
    ? {
        readonly [P in keyof NonNullable<WebhooksModuleOptions[K]>]-?: Frozen<
          NonNullable<WebhooksModuleOptions[K]>[P]
        >;
      }
    : Frozen<Exclude<WebhooksModuleOptions[K], undefined>>;
};
type Frozen<T> = T extends Array<infer Item> ? readonly Item[] : T;

/** The options as the library's internals read them: flat, complete. */
export interface ResolvedWebhooksOptions {
  eventTypes: WebhookEventTypeDefinition[];
  worker: boolean;
  preparedStatements: boolean;
  resolveTenant: (request: WebhooksAdminRequest) => string | Promise<string>;
  guards: Array<Type<CanActivate> | CanActivate>;
  listExists: (tenantId: string, listId: string) => boolean | Promise<boolean>;
  concurrency: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxResponseBodyBytes: number;
  maxConnectionsPerOrigin: number;
  maxInFlightPerOrigin: number;
  userAgent: string;
  relayIntervalMs: number;
  propagateTraceContext: boolean;
  localFirstAttempts: boolean;
  retrySchedule: number[];
  retryJitter: number;
  maxRetryAfterMs: number;
  allowPrivateNetworks: boolean;
  allowedTargets: string[];
  httpsOnly: boolean;
  allowUnresolvedHosts: boolean;
  resolveHost: (hostname: string) => Promise<string[]>;
  secretRotationGraceMs: number;
  encryptionKeys: EncryptionKey[];
  autoDisableAfterMs: number;
  autoDisableMinFailures: number;
  reenableTestWindowMs: number;
  probeDisabledEveryMs: number;
  verifyEndpointOnCreate: boolean;
  maxPayloadBytes: number;
  maxSubscriptionsPerList: number;
  stuckAfterMs: number;
  retentionSettledAfterMs: number;
  retentionFailedAfterMs: number;
  pruneEveryMs: number;
  pruneBatchSize: number;
  portalSigningKeys: PortalSigningKey[];
  portalSessionTtlMs: number;
  portalMaxSessionTtlMs: number;
  portalFrameAncestors: string[];
  portalTheme: PortalTheme;
  resolvePortalLists: (tenantId: string) => PortalList[] | Promise<PortalList[]>;
  inboundMaxBodyBytes: number;
  inboundToleranceMs: number;
  inboundDuplicateWindowMs: number;
  inboundRetrySchedule: number[];
  inboundConcurrency: number;
  inboundProcessingTimeoutMs: number;
  inboundSchemes: InboundSchemeDefinition[];
  metrics: boolean | { registry?: MetricsRegistry; prefix?: string };
}

/** Injection token of the options with defaults applied. */
export const WEBHOOKS_OPTIONS = Symbol('WEBHOOKS_OPTIONS');

export function resolveWebhooksOptions(
  options: WebhooksModuleOptions = {},
): ResolvedWebhooksOptions {
  assertKnownOptions(options, WEBHOOKS_DEFAULTS);
  const defaults = WEBHOOKS_DEFAULTS;
  const admin = withDefaults(defaults.admin, options.admin);
  const delivery = withDefaults(defaults.delivery, options.delivery);
  const retries = withDefaults(defaults.retries, options.retries);
  const security = withDefaults(defaults.security, options.security);
  const endpoints = withDefaults(defaults.endpoints, options.endpoints);
  const limits = withDefaults(defaults.limits, options.limits);
  const health = withDefaults(defaults.health, options.health);
  const retention = withDefaults(defaults.retention, options.retention);
  const portal = withDefaults(defaults.portal, options.portal);
  const inbound = withDefaults(defaults.inbound, options.inbound);
  const resolved: ResolvedWebhooksOptions = {
    eventTypes: [...(options.eventTypes ?? defaults.eventTypes)],
    worker: options.worker ?? defaults.worker,
    preparedStatements: options.preparedStatements ?? defaults.preparedStatements,
    resolveTenant: admin.resolveTenant,
    guards: [...admin.guards],
    listExists: admin.listExists,
    concurrency: delivery.concurrency,
    connectTimeoutMs: delivery.connectTimeoutMs,
    requestTimeoutMs: delivery.requestTimeoutMs,
    maxResponseBodyBytes: delivery.maxResponseBodyBytes,
    maxConnectionsPerOrigin: delivery.maxConnectionsPerOrigin,
    maxInFlightPerOrigin: delivery.maxInFlightPerOrigin,
    userAgent: delivery.userAgent,
    relayIntervalMs: delivery.relayIntervalMs,
    propagateTraceContext: delivery.propagateTraceContext,
    localFirstAttempts: delivery.localFirstAttempts,
    retrySchedule: [...retries.schedule],
    retryJitter: retries.jitter,
    maxRetryAfterMs: retries.maxRetryAfterMs,
    allowPrivateNetworks: security.allowPrivateNetworks,
    allowedTargets: [...security.allowedTargets],
    httpsOnly: security.httpsOnly,
    allowUnresolvedHosts: security.allowUnresolvedHosts,
    resolveHost: security.resolveHost,
    secretRotationGraceMs: security.secretRotationGraceMs,
    encryptionKeys: copyKeys(security.encryptionKeys),
    autoDisableAfterMs: endpoints.autoDisableAfterMs,
    autoDisableMinFailures: endpoints.autoDisableMinFailures,
    reenableTestWindowMs: endpoints.reenableTestWindowMs,
    probeDisabledEveryMs: endpoints.probeDisabledEveryMs,
    verifyEndpointOnCreate: endpoints.verifyOnCreate,
    maxPayloadBytes: limits.maxPayloadBytes,
    maxSubscriptionsPerList: limits.maxSubscriptionsPerList,
    stuckAfterMs: health.stuckAfterMs,
    retentionSettledAfterMs: retention.settledAfterMs,
    retentionFailedAfterMs: retention.failedAfterMs,
    pruneEveryMs: retention.pruneEveryMs,
    pruneBatchSize: retention.batchSize,
    portalSigningKeys: copyKeys(portal.signingKeys),
    portalSessionTtlMs: portal.sessionTtlMs,
    portalMaxSessionTtlMs: portal.maxSessionTtlMs,
    portalFrameAncestors: copyList(portal.frameAncestors),
    portalTheme: { ...portal.theme },
    resolvePortalLists: portal.resolveLists,
    inboundMaxBodyBytes: inbound.maxBodyBytes,
    inboundToleranceMs: inbound.timestampToleranceMs,
    inboundDuplicateWindowMs: inbound.duplicateWindowMs,
    inboundRetrySchedule: copyList(inbound.retrySchedule),
    inboundConcurrency: inbound.concurrency,
    inboundProcessingTimeoutMs: inbound.processingTimeoutMs,
    inboundSchemes: copyList(inbound.schemes),
    metrics: options.metrics ?? defaults.metrics,
  };
  assertValidOptions(resolved);
  return resolved;
}

/** A non-array is left for `assertValidOptions` to report rather than thrown on here. */
function copyList<Item>(items: readonly Item[]): Item[] {
  return Array.isArray(items) ? items.map((item: Item) => item) : (items as Item[]);
}

/** A non-array is left for `assertValidOptions` to report rather than thrown on here. */
function copyKeys<Key extends object>(keys: readonly Key[]): Key[] {
  return Array.isArray(keys) ? keys.map((key: Key) => ({ ...key })) : (keys as Key[]);
}

/** The group's defaults overridden by what was given; `undefined` keeps the default, as if absent. */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
