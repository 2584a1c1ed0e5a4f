import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestDatabase = 'postgres' | 'mariadb' | 'sqlite';
export const TEST_DATABASES: TestDatabase[] = ['postgres', 'mariadb', 'sqlite'];

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/**
 * An isolated database: its own PostgreSQL schema, its own MariaDB database, or a private in-memory
 * SQLite database.
 */
export interface IsolatedDatabase {
  typeorm: TypeOrmModuleOptions;
  /** The PostgreSQL schema, for child processes that share the database. */
  schema?: string;
  drop(): Promise<void>;
}

/** `prefix` starts the schema's name (`test_…`, `bench_…`), to tell leftovers apart. */
export async function isolatedDatabase(
  kind: TestDatabase,
  prefix = 'test',
): Promise<IsolatedDatabase> {
  if (kind === 'sqlite') {
    return {
      typeorm: {
        type: 'better-sqlite3',
        database: ':memory:',
        autoLoadEntities: true,
        synchronize: true,
      },
      drop: async () => undefined,
    };
  }
  if (kind === 'mariadb') return isolatedMariaDb(prefix);
  const schema = uniqueName(prefix);
  await withPg((client) => client.query(`CREATE SCHEMA "${schema}"`));
  return {
    typeorm: {
      type: 'postgres',
      url: DATABASE_URL,
      schema,
      autoLoadEntities: true,
      synchronize: true,
    },
    schema,
    drop: () =>
      withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(
        () => undefined,
      ),
  };
}

async function isolatedMariaDb(prefix: string): Promise<IsolatedDatabase> {
  const database = uniqueName(prefix);
  await withMysql((connection) => connection.query(`CREATE DATABASE \`${database}\``));
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  return {
    typeorm: {
      type: 'mariadb',
      url: url.toString(),
      timezone: 'Z',
      autoLoadEntities: true,
      synchronize: true,
    },
    drop: () =>
      withMysql((connection) => connection.query(`DROP DATABASE IF EXISTS \`${database}\``)).then(
        () => undefined,
      ),
  };
}

export async function withMysql<T>(
  work: (connection: Awaited<ReturnType<typeof createConnection>>) => Promise<T>,
): Promise<T> {
  const connection = await createConnection(MYSQL_URL);
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export async function withPg<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
