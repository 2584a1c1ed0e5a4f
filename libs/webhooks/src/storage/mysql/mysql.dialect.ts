import type { DataSource } from 'typeorm';
import { idListMembership, placeholderOf, type SqlDialect } from '../sql-dialect';

const LOCK_WAIT_SECONDS = 30;

/**
 * MySQL and MariaDB. mysql2 parses JSON columns of MySQL into objects; read as text, the event's
 * data reaches the body exactly as stored on both servers.
 */
export function mysqlDialect(dataSource: DataSource): SqlDialect {
  const parameter = placeholderOf(dataSource);
  return {
    name: 'mysql',
    singleConnection: false,
    parameter,
    idMembership: (column, firstIndex) => idListMembership(parameter, column, firstIndex),
    jsonAsText: (column) => `CAST(${column} AS CHAR)`,
    namedLock: {
      heldBy: 'session',
      acquire: `SELECT GET_LOCK(${parameter(0)}, ${LOCK_WAIT_SECONDS}) AS acquired`,
      release: `SELECT RELEASE_LOCK(${parameter(0)})`,
    },
    lockingRead: (select) => `${select} FOR UPDATE`,
  };
}
