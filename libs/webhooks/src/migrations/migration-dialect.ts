import type { QueryRunner } from 'typeorm';

export type MigrationDialect = 'postgres' | 'mysql' | 'sqlite';

/**
 * The migrations ship SQL for PostgreSQL, MySQL/MariaDB and the SQLite family (better-sqlite3,
 * sql.js, capacitor).
 */
export function dialectOf(queryRunner: QueryRunner): MigrationDialect {
  const type = queryRunner.connection.driver.options.type;
  if (type === 'postgres') return 'postgres';
  if (type === 'mysql' || type === 'mariadb') return 'mysql';
  if (type === 'better-sqlite3' || type === 'sqljs' || type === 'capacitor') return 'sqlite';
  throw new Error(
    `nest-hooks migrations support PostgreSQL, MySQL/MariaDB and SQLite, not ${type}`,
  );
}

/** Table name, qualified with the data source's PostgreSQL schema when it has one. */
export function qualify(queryRunner: QueryRunner, table: string): string {
  const options = queryRunner.connection.driver.options as { schema?: string };
  const dialect = dialectOf(queryRunner);
  if (dialect === 'mysql') return `\`${table}\``;
  return options.schema && dialect === 'postgres' ? `"${options.schema}"."${table}"` : `"${table}"`;
}

/** How PostgreSQL and SQLite spell the module's column types, as TypeORM's schema builder does. */
export function columnTypes(postgres: boolean) {
  return {
    uuid: postgres ? 'uuid' : 'varchar',
    timestamp: postgres ? 'TIMESTAMP' : 'datetime',
    now: postgres ? 'now()' : "(datetime('now'))",
    text: (length: number) => (postgres ? `character varying(${length})` : `varchar(${length})`),
    literal: (value: string | number) =>
      postgres ? `'${value}'` : `(${typeof value === 'string' ? `'${value}'` : value})`,
    primaryKey: (name: string) => (postgres ? `, CONSTRAINT "${name}" PRIMARY KEY ("id")` : ''),
    idColumn: postgres ? '"id" uuid NOT NULL' : '"id" varchar PRIMARY KEY NOT NULL',
  };
}
