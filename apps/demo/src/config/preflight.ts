import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { Client } from 'pg';
import { redactUrl, type DemoConfig } from './demo-config';

const TIMEOUT_MS = 2_000;

/**
 * Checks the services the demo needs before Nest starts, because Bull and TypeORM would otherwise
 * retry for a long time and then fail with a stack trace instead of saying what is wrong.
 * Returns one printable line per problem found (empty when all is well).
 */
export async function checkServices(config: DemoConfig): Promise<string[]> {
  const problems = await Promise.all([checkRedis(config.redisUrl), checkDatabase(config)]);
  return problems.filter((problem): problem is string => problem !== null);
}

async function checkRedis(redisUrl: string): Promise<string | null> {
  return (await listening(redisUrl, 6379))
    ? null
    : `Redis is not reachable at ${redactUrl(redisUrl)} — start Redis or set REDIS_URL`;
}

/** Whether something accepts TCP connections at the URL's host and port. */
async function listening(address: string, defaultPort: number): Promise<boolean> {
  const url = new URL(address);
  const port = Number(url.port || defaultPort);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise<boolean>((done) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(TIMEOUT_MS, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function checkDatabase(config: DemoConfig): Promise<string | null> {
  const { database } = config;
  if (database.type === 'sqlite') {
    if (database.path === ':memory:') return null;
    const directory = dirname(resolve(database.path));
    return existsSync(directory)
      ? null
      : `The SQLite file's directory ${directory} does not exist — create it or set DEMO_SQLITE_PATH`;
  }
  if (database.type !== 'postgres') {
    return (await listening(database.url, 3306))
      ? null
      : `MySQL/MariaDB is not reachable at ${redactUrl(database.url)} — start it or fix DATABASE_URL`;
  }
  const client = new Client({
    connectionString: database.url,
    connectionTimeoutMillis: TIMEOUT_MS,
  });
  try {
    await client.connect();
    return null;
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    return `PostgreSQL is not reachable at ${redactUrl(database.url)} (${reason}) — start PostgreSQL or fix DATABASE_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
}
