import type {
  ResolvedWebhooksOptions,
  WebhooksModuleOptions,
  WebhooksOptionDefaults,
} from './webhooks.options';

/** Options renamed when they were grouped (0.2), beyond the move into their group. */
const RENAMED: Record<string, string> = {
  retrySchedule: 'retries.schedule',
  retryJitter: 'retries.jitter',
  verifyEndpointOnCreate: 'endpoints.verifyOnCreate',
};

/** Names where an option now lives, so that 0.1's flat options fail loudly instead of being ignored. */
export function assertKnownOptions(
  options: WebhooksModuleOptions,
  optionDefaults: WebhooksOptionDefaults,
): void {
  const defaults = optionDefaults as unknown as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in defaults)) {
      const group = Object.keys(defaults).find(
        (name) => isGroup(defaults[name]) && key in (defaults[name] as object),
      );
      const moved = RENAMED[key] ?? (group ? `${group}.${key}` : undefined);
      problems.push(moved ? `${key} is now ${moved}` : `${key} is not an option`);
      continue;
    }
    if (!isGroup(defaults[key])) continue;
    if (!isGroup(value)) {
      problems.push(`${key} must be an object`);
      continue;
    }
    for (const name of Object.keys(value)) {
      if (!(name in (defaults[key] as object))) problems.push(`${key}.${name} is not an option`);
    }
  }
  fail(problems);
}

function isGroup(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every problem of the resolved options at once, in one error. */
export function assertValidOptions(options: ResolvedWebhooksOptions): void {
  const problems: string[] = [];
  const positive = (path: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${path} must be a positive number`);
  };
  const nonNegative = (path: string, value: number) => {
    if (!Number.isFinite(value) || value < 0) problems.push(`${path} must be a number >= 0`);
  };
  positive('delivery.concurrency', options.concurrency);
  positive('delivery.connectTimeoutMs', options.connectTimeoutMs);
  positive('delivery.requestTimeoutMs', options.requestTimeoutMs);
  positive('delivery.maxResponseBodyBytes', options.maxResponseBodyBytes);
  positive('delivery.maxConnectionsPerOrigin', options.maxConnectionsPerOrigin);
  positive('delivery.maxInFlightPerOrigin', options.maxInFlightPerOrigin);
  nonNegative('delivery.relayIntervalMs', options.relayIntervalMs);
  if (!options.retrySchedule.every((delay) => Number.isFinite(delay) && delay >= 0)) {
    problems.push('retries.schedule must contain delays in ms, each >= 0');
  }
  if (!(options.retryJitter >= 0 && options.retryJitter < 1)) {
    problems.push('retries.jitter must be between 0 (inclusive) and 1');
  }
  nonNegative('retries.maxRetryAfterMs', options.maxRetryAfterMs);
  nonNegative('security.secretRotationGraceMs', options.secretRotationGraceMs);
  problems.push(...encryptionKeysProblems(options.encryptionKeys));
  nonNegative('endpoints.autoDisableAfterMs', options.autoDisableAfterMs);
  positive('endpoints.autoDisableMinFailures', options.autoDisableMinFailures);
  nonNegative('endpoints.reenableTestWindowMs', options.reenableTestWindowMs);
  nonNegative('endpoints.probeDisabledEveryMs', options.probeDisabledEveryMs);
  positive('limits.maxPayloadBytes', options.maxPayloadBytes);
  positive('limits.maxSubscriptionsPerList', options.maxSubscriptionsPerList);
  positive('health.stuckAfterMs', options.stuckAfterMs);
  nonNegative('retention.settledAfterMs', options.retentionSettledAfterMs);
  nonNegative('retention.failedAfterMs', options.retentionFailedAfterMs);
  nonNegative('retention.pruneEveryMs', options.pruneEveryMs);
  if (!Number.isInteger(options.pruneBatchSize) || options.pruneBatchSize <= 0) {
    problems.push('retention.batchSize must be a positive integer');
  }
  problems.push(...portalProblems(options));
  problems.push(...inboundProblems(options));
  fail(problems);
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_BASE64 = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43})$/;

/** The keys are never quoted: a message may reach logs. */
function encryptionKeysProblems(keys: unknown): string[] {
  if (!Array.isArray(keys)) return ['security.encryptionKeys must be an array of { id, key }'];
  const problems: string[] = [];
  const seen = new Set<string>();
  keys.forEach((entry: unknown, index) => {
    const path = `security.encryptionKeys[${index}]`;
    const { id, key }: Record<string, unknown> = isGroup(entry) ? entry : {};
    if (typeof id !== 'string' || !KEY_ID.test(id)) {
      problems.push(`${path}.id must be 1 to 32 letters, digits, _ or -`);
    } else if (seen.has(id)) {
      problems.push(`${path}.id repeats "${id}"`);
    } else seen.add(id);
    if (typeof key !== 'string' || !KEY_BASE64.test(key)) {
      problems.push(`${path}.key must be 32 bytes in base64`);
    }
  });
  return problems;
}

/** A CSS value that cannot end its declaration or open another (no `;`, braces, `<`, `\` or line breaks). */
// eslint-disable-next-line no-control-regex
const SAFE_CSS_VALUE = /^[^;{}<>\\\u0000-\u001f]{1,200}$/;
/** `'self'`, a scheme (`https:`) or an origin with an optional `*.` host wildcard and port. */
const FRAME_ANCESTOR =
  /^(?:'self'|[a-z][a-z0-9+.-]*:|[a-z][a-z0-9+.-]*:\/\/(?:\*\.)?[A-Za-z0-9.-]+(?::\d{1,5})?)$/;

function portalProblems(options: ResolvedWebhooksOptions): string[] {
  const problems: string[] = [];
  const keys: unknown = options.portalSigningKeys;
  if (!Array.isArray(keys)) problems.push('portal.signingKeys must be an array of { id, secret }');
  else {
    const seen = new Set<string>();
    keys.forEach((entry: unknown, index) => {
      const path = `portal.signingKeys[${index}]`;
      const { id, secret }: Record<string, unknown> = isGroup(entry) ? entry : {};
      if (typeof id !== 'string' || !KEY_ID.test(id)) {
        problems.push(`${path}.id must be 1 to 32 letters, digits, _ or -`);
      } else if (seen.has(id)) {
        problems.push(`${path}.id repeats "${id}"`);
      } else seen.add(id);
      if (typeof secret !== 'string' || secret.length < 32) {
        problems.push(`${path}.secret must be a string of at least 32 characters`);
      }
    });
  }
  for (const [path, value] of [
    ['portal.sessionTtlMs', options.portalSessionTtlMs],
    ['portal.maxSessionTtlMs', options.portalMaxSessionTtlMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${path} must be a positive number`);
  }
  if (options.portalSessionTtlMs > options.portalMaxSessionTtlMs) {
    problems.push('portal.sessionTtlMs must not exceed portal.maxSessionTtlMs');
  }
  const ancestors: unknown = options.portalFrameAncestors;
  if (
    !Array.isArray(ancestors) ||
    !ancestors.every((origin) => typeof origin === 'string' && FRAME_ANCESTOR.test(origin))
  ) {
    problems.push(
      "portal.frameAncestors must be origins such as 'https://app.example.com', 'https://*.example.com' or \"'self'\"",
    );
  }
  const theme: unknown = options.portalTheme;
  if (!isGroup(theme)) problems.push('portal.theme must be an object');
  else {
    for (const [name, value] of Object.entries(theme)) {
      if (!['primary', 'font', 'radius'].includes(name)) {
        problems.push(`portal.theme.${name} is not an option`);
      } else if (
        value !== undefined &&
        (typeof value !== 'string' || !SAFE_CSS_VALUE.test(value))
      ) {
        problems.push(
          `portal.theme.${name} must be a CSS value without ; { } < > \\ or line breaks`,
        );
      }
    }
  }
  if (typeof options.listExists !== 'function') {
    problems.push('admin.listExists must be a function');
  }
  if (typeof options.resolvePortalLists !== 'function') {
    problems.push('portal.resolveLists must be a function');
  }
  return problems;
}

const SCHEME_NAME = /^[a-z0-9-]{1,32}$/;

function inboundProblems(options: ResolvedWebhooksOptions): string[] {
  const problems: string[] = [];
  for (const [path, value] of [
    ['inbound.maxBodyBytes', options.inboundMaxBodyBytes],
    ['inbound.timestampToleranceMs', options.inboundToleranceMs],
    ['inbound.duplicateWindowMs', options.inboundDuplicateWindowMs],
    ['inbound.concurrency', options.inboundConcurrency],
    ['inbound.processingTimeoutMs', options.inboundProcessingTimeoutMs],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) problems.push(`${path} must be a positive number`);
  }
  const schedule: unknown = options.inboundRetrySchedule;
  if (
    !Array.isArray(schedule) ||
    !schedule.every((delay) => typeof delay === 'number' && Number.isFinite(delay) && delay >= 0)
  ) {
    problems.push('inbound.retrySchedule must contain delays in ms, each >= 0');
  }
  const schemes: unknown = options.inboundSchemes;
  if (!Array.isArray(schemes)) problems.push('inbound.schemes must be an array');
  else {
    schemes.forEach((scheme: unknown, index) => {
      const { name, verify }: Record<string, unknown> = isGroup(scheme) ? scheme : {};
      if (typeof name !== 'string' || !SCHEME_NAME.test(name)) {
        problems.push(
          `inbound.schemes[${index}].name must be 1 to 32 lower-case letters, digits or -`,
        );
      }
      if (typeof verify !== 'function') {
        problems.push(`inbound.schemes[${index}].verify must be a function`);
      }
    });
  }
  return problems;
}

function fail(problems: string[]): void {
  if (problems.length > 0) {
    throw new Error(`Invalid WebhooksModule options: ${problems.join('; ')}`);
  }
}
