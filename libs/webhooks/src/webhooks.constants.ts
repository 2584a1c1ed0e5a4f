/** Bull queue that carries delivery jobs (ids only). */
export const WEBHOOKS_QUEUE = 'nest-hooks-deliveries';
export const DELIVER_JOB = 'deliver';
/** Tenant used when the host does not run a multi-tenant platform. */
export const DEFAULT_TENANT_ID = 'default';
export const VERIFY_ENDPOINT_JOB = 'verify-endpoint';
export const PROBE_DISABLED_JOB = 'probe-disabled';
export const REENCRYPT_SECRETS_JOB = 'reencrypt-secrets';
/** Bull backoff strategy of delivery jobs (see webhooks.queue.ts). */
export const DELIVERY_BACKOFF = 'nest-hooks-delivery';
export const PRUNE_HISTORY_JOB = 'prune-history';
/** Injection token of the module's `routePrefix` extra, without slashes ('' when none). */
export const WEBHOOKS_ROUTE_PREFIX = Symbol('WEBHOOKS_ROUTE_PREFIX');
/** The list id of subscriptions that cover every list of their tenant, present and future. */
export const ALL_LISTS = '*';
/**
 * Bull queue that carries inbound events to their handlers (ids only): a queue of its own, so that
 * its concurrency and the deliveries' do not share Bull's workers.
 */
export const WEBHOOKS_INBOUND_QUEUE = 'nest-hooks-inbound';
export const INBOUND_JOB = 'inbound';
export const PRUNE_INBOUND_JOB = 'prune-inbound';
