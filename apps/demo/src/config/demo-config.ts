export type DemoDatabaseConfig =
  { type: 'sqlite'; path: string } | { type: 'postgres' | 'mysql' | 'mariadb'; url: string };

/** DATABASE_URL schemes and the TypeORM driver each selects. */
const DATABASE_SCHEMES = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mariadb',
} as const;

export interface DemoConfig {
  port: number;
  /** Base URL of the links put in campaign emails (tracking, unsubscribe). */
  publicUrl: string;
  /** Where the seeded webhook subscription delivers: this app's own inbox, over loopback. */
  inboxUrl: string;
  database: DemoDatabaseConfig;
  redisUrl: string;
  bullPrefix: string;
  /** A request carrying this `x-api-key` acts as an API client; without the header, as the admin UI. */
  apiKey: string;
  /** Signs the links to the webhooks portal; null: a random key, so links die with the process. */
  portalKey: string | null;
  /** The signing secrets of the seeded inbound endpoints, as Stripe, Shopify and Typeform would issue them. */
  inboundSecrets: InboundSecrets;
}

export interface InboundSecrets {
  stripe: string;
  shopify: string;
  typeform: string;
}

/**
 * Fixed defaults, so that `npm run demo:inbound` (apps/demo/scripts/inbound-sample.mjs, which has the
 * same ones) signs samples the running demo accepts. Not secret: set the variables for anything real.
 */
export const DEFAULT_INBOUND_SECRETS: InboundSecrets = {
  stripe: 'whsec_demo_stripe_signing_secret',
  shopify: 'demo-shopify-app-secret',
  typeform: 'demo-typeform-secret',
};

/** What the library asks of a portal signing key. */
const MIN_PORTAL_KEY_LENGTH = 32;

/** A configuration problem, worded to be printed as one line. */
export class DemoConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export function loadDemoConfig(env: Env = process.env): DemoConfig {
  const port = readPort(env.PORT);
  const apiKey = env.DEMO_API_KEY ?? 'demo-api-key';
  if (apiKey.trim() === '') throw new DemoConfigError('DEMO_API_KEY must not be empty');
  const portalKey = env.DEMO_PORTAL_KEY || null;
  if (portalKey !== null && portalKey.length < MIN_PORTAL_KEY_LENGTH) {
    throw new DemoConfigError(
      `DEMO_PORTAL_KEY must be at least ${MIN_PORTAL_KEY_LENGTH} characters (openssl rand -base64 32)`,
    );
  }
  const bullPrefix = env.DEMO_BULL_PREFIX ?? 'bull';
  if (!/^[A-Za-z0-9_:.-]{1,64}$/.test(bullPrefix)) {
    throw new DemoConfigError(
      'DEMO_BULL_PREFIX may contain only letters, digits, _ : . - (at most 64)',
    );
  }
  return {
    port,
    publicUrl: readHttpUrl('DEMO_PUBLIC_URL', env.DEMO_PUBLIC_URL ?? `http://localhost:${port}`),
    inboxUrl: `http://127.0.0.1:${port}/inbox`,
    database: readDatabase(env),
    redisUrl: readRedisUrl(env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
    bullPrefix,
    apiKey,
    portalKey,
    inboundSecrets: {
      stripe: readSecret(
        'DEMO_STRIPE_SECRET',
        env.DEMO_STRIPE_SECRET,
        DEFAULT_INBOUND_SECRETS.stripe,
      ),
      shopify: readSecret(
        'DEMO_SHOPIFY_SECRET',
        env.DEMO_SHOPIFY_SECRET,
        DEFAULT_INBOUND_SECRETS.shopify,
      ),
      typeform: readSecret(
        'DEMO_TYPEFORM_SECRET',
        env.DEMO_TYPEFORM_SECRET,
        DEFAULT_INBOUND_SECRETS.typeform,
      ),
    },
  };
}

/** What the library takes as an inbound endpoint's secret: 8 to 200 characters. */
function readSecret(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined || value === '') return fallback;
  if (value.length < 8 || value.length > 200) {
    throw new DemoConfigError(`${name} must be 8 to 200 characters, as the provider issued it`);
  }
  return value;
}

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new DemoConfigError(`PORT must be a port number between 1 and 65535, got "${value}"`);
  }
  return port;
}

function readHttpUrl(name: string, value: string): string {
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new DemoConfigError(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

function readRedisUrl(value: string): string {
  const url = parseUrl(value);
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new DemoConfigError(
      `REDIS_URL must look like redis://host:6379, got "${redactUrl(value)}"`,
    );
  }
  return value;
}

function readDatabase(env: Env): DemoDatabaseConfig {
  const databaseUrl = env.DATABASE_URL;
  if (databaseUrl !== undefined && databaseUrl !== '') {
    const url = parseUrl(databaseUrl);
    const type =
      url && Object.hasOwn(DATABASE_SCHEMES, url.protocol)
        ? DATABASE_SCHEMES[url.protocol as keyof typeof DATABASE_SCHEMES]
        : undefined;
    if (!url || !type || !url.hostname) {
      throw new DemoConfigError(
        `DATABASE_URL must look like postgres://user:password@host:5432/database (or mysql://, mariadb://), got "${redactUrl(databaseUrl)}"`,
      );
    }
    return { type, url: databaseUrl };
  }
  return { type: 'sqlite', path: env.DEMO_SQLITE_PATH || 'demo.sqlite' };
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** The URL without its password, fit for logs and error messages. */
export function redactUrl(value: string): string {
  const url = parseUrl(value);
  if (!url) return value;
  if (url.password) url.password = '***';
  return url.toString();
}
