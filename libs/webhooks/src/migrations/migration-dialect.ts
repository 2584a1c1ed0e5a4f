import type { QueryRunner } from 'typeorm';

export type MigrationDialect = 'postgres' | 'sqlite';

/** The migrations ship SQL for PostgreSQL and for the SQLite family (better-sqlite3, sql.js, capacitor). */
export function dialectOf(queryRunner: QueryRunner): MigrationDialect {
  const type = queryRunner.connection.driver.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'better-sqlite3' || type === 'sqljs' || type === 'capacitor') return 'sqlite';
  throw new Error(`nest-hooks migrations support PostgreSQL and SQLite, not ${type}`);
}

/** Table name, qualified with the data source's PostgreSQL schema when it has one. */
export function qualify(queryRunner: QueryRunner, table: string): string {
  const options = queryRunner.connection.driver.options as { schema?: string };
  return options.schema && dialectOf(queryRunner) === 'postgres'
    ? `"${options.schema}"."${table}"`
    : `"${table}"`;
}
