import type { CanActivate, Type } from '@nestjs/common';
import { promises as dns } from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';

export interface WebhookEventTypeDefinition {
  /** Dotted name, e.g. `contact.tagged`. */
  type: string;
  /** One line shown to the people who subscribe. */
  description: string;
}

/** What `resolveTenant` receives: the incoming admin request (Express or Fastify). */
export interface WebhooksAdminRequest {
  headers: IncomingHttpHeaders;
  params?: Record<string, string>;
  user?: unknown;
  [key: string]: unknown;
}

/** A prom-client `Registry` (typed structurally so that prom-client stays optional). */
export interface MetricsRegistry {
  metrics(): Promise<string>;
  registerMetric(metric: never): void;
}

export interface WebhooksModuleOptions {
  /** Event types added to the built-in catalogue. Default: none. */
  eventTypes?: WebhookEventTypeDefinition[];
  /** Returns the tenant (account) of an admin request. Default: every request belongs to `'default'`. */
  resolveTenant?: (request: WebhooksAdminRequest) => string | Promise<string>;
  /** Guards run before every admin route (classes are resolved from the host's container). Default: none. */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /** Run the delivery worker in this process. `false` gives an API-only process. Default: true. */
  worker?: boolean;
  /** Deliveries sent at once by this process. Default: 50. */
  concurrency?: number;
  /** Delays in ms before each retry, after the immediate first attempt. Default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
  retrySchedule?: number[];
  /** Random spread applied to each retry delay (0.2 = ±20%). Default: 0.2. */
  retryJitter?: number;
  /** Time allowed to open the connection, in ms. Default: 5000. */
  connectTimeoutMs?: number;
  /** Time allowed for the whole request and response, in ms. Default: 15000. */
  requestTimeoutMs?: number;
  /** Bytes of the receiver's response body kept with an attempt. Default: 4096. */
  maxResponseBodyBytes?: number;
  /** Simultaneous connections per receiver origin, so one slow endpoint cannot take every socket. Default: 10. */
  maxConnectionsPerOrigin?: number;
  /** Largest serialized `data` accepted by `emit`, in bytes. Default: 256 KiB. */
  maxPayloadBytes?: number;
  /** Allow receivers on loopback and private networks (development, tests). Default: false. */
  allowPrivateNetworks?: boolean;
  /** CIDRs (`10.1.0.0/16`), addresses or host names allowed although not public. Default: none. */
  allowedTargets?: string[];
  /** Refuse plain `http:` receivers (production). Default: false. */
  httpsOnly?: boolean;
  /** Resolves a host name to its addresses; every address is checked. Default: `dns.lookup` (all addresses). */
  resolveHost?: (hostname: string) => Promise<string[]>;
  /** `User-Agent` header of deliveries. Default: `nest-hooks/<version>`. */
  userAgent?: string;
  /**
   * Deliveries to one origin in flight at once in this process; more wait without holding a worker.
   * One until the origin first answers, and while it is timing out. Default: 5.
   */
  maxInFlightPerOrigin?: number;
  /** Longest `Retry-After` honoured, in ms; longer values are cut to this. Default: 1 hour. */
  maxRetryAfterMs?: number;
  /** How long the previous secret keeps signing after a rotation, in ms. Default: 24 hours. */
  secretRotationGraceMs?: number;
  /** Disable a subscription whose attempts have all failed for this long (ms)… Default: 5 days. */
  autoDisableAfterMs?: number;
  /** …and at least this many times in a row. Default: 10. */
  autoDisableMinFailures?: number;
  /** How recent a successful test ping must be to re-enable a disabled subscription, in ms. Default: 1 hour. */
  reenableTestWindowMs?: number;
  /** Probe disabled endpoints this often (ms) and re-enable those that answer 2xx. Default: off (0). */
  probeDisabledEveryMs?: number;
  /** New subscriptions start `pending_verification` until their endpoint echoes a challenge. Default: false. */
  verifyEndpointOnCreate?: boolean;
  /** How often each worker re-enqueues due deliveries that may have lost their job (ms; 0 = never). Default: 10 s. */
  relayIntervalMs?: number;
  /** Subscriptions one list may have. Default: 100. */
  maxSubscriptionsPerList?: number;
  /**
   * Prometheus metrics through prom-client (an optional peer): `true` registers them in prom-client's
   * default registry; or give your own `registry` and a name `prefix` (default `webhooks_`). Default: off.
   */
  metrics?: boolean | { registry?: MetricsRegistry; prefix?: string };
  /** Health reports the queue stuck when the oldest due delivery is overdue by more (ms). Default: 5 min. */
  stuckAfterMs?: number;
}

export interface ResolvedWebhooksOptions extends Required<
  Omit<WebhooksModuleOptions, 'resolveTenant' | 'guards' | 'eventTypes'>
> {
  eventTypes: WebhookEventTypeDefinition[];
  guards: Array<Type<CanActivate> | CanActivate>;
  resolveTenant?: WebhooksModuleOptions['resolveTenant'];
}

/** Injection token of the options with defaults applied. */
export const WEBHOOKS_OPTIONS = Symbol('WEBHOOKS_OPTIONS');

export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

async function resolveWithDns(hostname: string): Promise<string[]> {
  const entries = await dns.lookup(hostname, { all: true, verbatim: true });
  return entries.map((entry) => entry.address);
}

export function resolveWebhooksOptions(options: WebhooksModuleOptions): ResolvedWebhooksOptions {
  const resolved: ResolvedWebhooksOptions = {
    eventTypes: options.eventTypes ?? [],
    resolveTenant: options.resolveTenant,
    guards: options.guards ?? [],
    worker: options.worker ?? true,
    concurrency: options.concurrency ?? 50,
    retrySchedule: options.retrySchedule ?? [...DEFAULT_RETRY_SCHEDULE_MS],
    retryJitter: options.retryJitter ?? 0.2,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    maxResponseBodyBytes: options.maxResponseBodyBytes ?? 4_096,
    maxConnectionsPerOrigin: options.maxConnectionsPerOrigin ?? 10,
    maxPayloadBytes: options.maxPayloadBytes ?? 256 * 1024,
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
    allowedTargets: options.allowedTargets ?? [],
    httpsOnly: options.httpsOnly ?? false,
    resolveHost: options.resolveHost ?? resolveWithDns,
    userAgent: options.userAgent ?? 'nest-hooks/0.1',
    maxInFlightPerOrigin: options.maxInFlightPerOrigin ?? 5,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 3_600_000,
    secretRotationGraceMs: options.secretRotationGraceMs ?? 24 * 3_600_000,
    autoDisableAfterMs: options.autoDisableAfterMs ?? 5 * 24 * 3_600_000,
    autoDisableMinFailures: options.autoDisableMinFailures ?? 10,
    reenableTestWindowMs: options.reenableTestWindowMs ?? 3_600_000,
    probeDisabledEveryMs: options.probeDisabledEveryMs ?? 0,
    verifyEndpointOnCreate: options.verifyEndpointOnCreate ?? false,
    relayIntervalMs: options.relayIntervalMs ?? 10_000,
    maxSubscriptionsPerList: options.maxSubscriptionsPerList ?? 100,
    stuckAfterMs: options.stuckAfterMs ?? 5 * 60_000,
    metrics: options.metrics ?? false,
  };
  assertValidOptions(resolved);
  return resolved;
}

function assertValidOptions(options: ResolvedWebhooksOptions): void {
  const problems: string[] = [];
  const positive = (name: keyof ResolvedWebhooksOptions, value: number) => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${name} must be a positive number`);
  };
  positive('concurrency', options.concurrency);
  positive('connectTimeoutMs', options.connectTimeoutMs);
  positive('requestTimeoutMs', options.requestTimeoutMs);
  positive('maxResponseBodyBytes', options.maxResponseBodyBytes);
  positive('maxConnectionsPerOrigin', options.maxConnectionsPerOrigin);
  positive('maxPayloadBytes', options.maxPayloadBytes);
  positive('maxInFlightPerOrigin', options.maxInFlightPerOrigin);
  positive('autoDisableMinFailures', options.autoDisableMinFailures);
  const nonNegative = (name: keyof ResolvedWebhooksOptions, value: number) => {
    if (!Number.isFinite(value) || value < 0) problems.push(`${name} must be a number >= 0`);
  };
  nonNegative('maxRetryAfterMs', options.maxRetryAfterMs);
  nonNegative('secretRotationGraceMs', options.secretRotationGraceMs);
  nonNegative('autoDisableAfterMs', options.autoDisableAfterMs);
  nonNegative('reenableTestWindowMs', options.reenableTestWindowMs);
  nonNegative('probeDisabledEveryMs', options.probeDisabledEveryMs);
  nonNegative('relayIntervalMs', options.relayIntervalMs);
  positive('maxSubscriptionsPerList', options.maxSubscriptionsPerList);
  positive('stuckAfterMs', options.stuckAfterMs);
  if (!options.retrySchedule.every((delay) => Number.isFinite(delay) && delay >= 0)) {
    problems.push('retrySchedule must contain delays in ms, each >= 0');
  }
  if (!(options.retryJitter >= 0 && options.retryJitter < 1)) {
    problems.push('retryJitter must be between 0 (inclusive) and 1');
  }
  if (problems.length > 0) {
    throw new Error(`Invalid WebhooksModule options: ${problems.join('; ')}`);
  }
}
