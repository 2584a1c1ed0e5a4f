import type { DataSource } from 'typeorm';
import { idListMembership, placeholderOf, type SqlDialect } from '../sql-dialect';

/** SQLite (better-sqlite3 and the other single-connection drivers of TypeORM). */
export function sqliteDialect(dataSource: DataSource): SqlDialect {
  const parameter = placeholderOf(dataSource);
  return {
    name: 'sqlite',
    singleConnection: true,
    parameter,
    idMembership: (column, firstIndex) => idListMembership(parameter, column, firstIndex),
    jsonAsText: (column) => column,
    namedLock: null,
    lockingRead: (select) => select,
  };
}
