import type { DataSource } from 'typeorm';
import { placeholderOf, type SqlDialect } from '../sql-dialect';

/** 'whks': the first key of the module's advisory locks. */
const ADVISORY_LOCK_CLASS = 0x77686b73;

/**
 * PostgreSQL takes an id list as one uuid array, so a statement's text is the same whatever the
 * count (and is planned once).
 */
export function postgresDialect(dataSource: DataSource): SqlDialect {
  const parameter = placeholderOf(dataSource);
  return {
    name: 'postgres',
    singleConnection: false,
    parameter,
    idMembership(column, firstIndex) {
      const condition = `${column} = ANY(${parameter(firstIndex)}::uuid[])`;
      return { condition: () => condition, parameters: (ids) => [ids] };
    },
    jsonAsText: (column) => `${column}::text`,
    namedLock: {
      heldBy: 'transaction',
      // The two-key form, with a key of our own, stays clear of the host's one-key advisory locks.
      acquire: `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_CLASS}, hashtext(${parameter(0)}))`,
    },
    lockingRead: (select) => `${select} FOR UPDATE`,
  };
}
