import { promises as dns } from 'node:dns';
import { DEFAULT_TENANT_ID } from './webhooks.constants';
import { PortalConfigurationError } from './webhooks.errors';
import type { PortalList, WebhooksOptionDefaults } from './webhooks.options';

/** Puts every admin request in the single tenant `'default'`. */
function singleTenant(): string {
  return DEFAULT_TENANT_ID;
}

/** The library does not know the host's lists: without `admin.listExists`, each one exists. */
function anyList(): boolean {
  return true;
}

/** Without `portal.resolveLists`, a session must name its lists. */
function listsNotResolvable(): PortalList[] {
  throw new PortalConfigurationError(
    'createSession needs lists: portal.resolveLists is not configured',
    'lists',
  );
}

/** Every address `dns.lookup` gives for the name (`all: true`). */
async function dnsLookupAll(hostname: string): Promise<string[]> {
  const entries = await dns.lookup(hostname, { all: true, verbatim: true });
  return entries.map((entry) => entry.address);
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The default of every option, written here only. */
export const WEBHOOKS_DEFAULTS: WebhooksOptionDefaults = deepFreeze({
  eventTypes: [],
  worker: true,
  preparedStatements: true,
  admin: {
    resolveTenant: singleTenant,
    guards: [],
    listExists: anyList,
  },
  delivery: {
    concurrency: 50,
    connectTimeoutMs: 5 * SECOND,
    requestTimeoutMs: 15 * SECOND,
    maxResponseBodyBytes: 4 * 1024,
    maxConnectionsPerOrigin: 10,
    maxInFlightPerOrigin: 5,
    userAgent: 'nest-hooks/0.1',
    relayIntervalMs: 10 * SECOND,
    propagateTraceContext: false,
    localFirstAttempts: true,
  },
  retries: {
    schedule: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
    jitter: 0.2,
    maxRetryAfterMs: HOUR,
  },
  security: {
    allowPrivateNetworks: false,
    allowedTargets: [],
    httpsOnly: false,
    allowUnresolvedHosts: false,
    resolveHost: dnsLookupAll,
    secretRotationGraceMs: DAY,
    encryptionKeys: [],
  },
  endpoints: {
    autoDisableAfterMs: 5 * DAY,
    autoDisableMinFailures: 10,
    reenableTestWindowMs: HOUR,
    probeDisabledEveryMs: 0,
    verifyOnCreate: false,
  },
  limits: {
    maxPayloadBytes: 256 * 1024,
    maxSubscriptionsPerList: 100,
  },
  health: {
    stuckAfterMs: 5 * MINUTE,
  },
  retention: {
    settledAfterMs: 30 * DAY,
    failedAfterMs: 30 * DAY,
    pruneEveryMs: HOUR,
    batchSize: 500,
  },
  portal: {
    signingKeys: [],
    sessionTtlMs: HOUR,
    maxSessionTtlMs: DAY,
    frameAncestors: [],
    theme: {},
    resolveLists: listsNotResolvable,
  },
  inbound: {
    maxBodyBytes: 1024 * 1024,
    timestampToleranceMs: 5 * MINUTE,
    duplicateWindowMs: DAY,
    retrySchedule: [5 * SECOND, MINUTE, 10 * MINUTE, HOUR, 6 * HOUR],
    concurrency: 10,
    processingTimeoutMs: 5 * MINUTE,
    schemes: [],
  },
  metrics: false,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
