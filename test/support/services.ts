import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestDatabase = 'postgres' | 'sqlite';
export const TEST_DATABASES: TestDatabase[] = ['postgres', 'sqlite'];

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** An isolated database: its own PostgreSQL schema, or a private in-memory SQLite database. */
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

export async function withPg<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
