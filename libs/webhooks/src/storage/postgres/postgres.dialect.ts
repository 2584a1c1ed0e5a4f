import type { DataSource } from 'typeorm';
import { placeholderOf, type SqlDialect } from '../sql-dialect';

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
  };
}
