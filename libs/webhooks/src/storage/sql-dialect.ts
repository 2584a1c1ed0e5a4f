import type { DataSource } from 'typeorm';

/** Keyset start for UUID ids: PostgreSQL's uuid type compares only with UUIDs. */
export const LOWEST_UUID = '00000000-0000-0000-0000-000000000000';

/** `<column>` among a list of ids bound from one placeholder on. */
export interface IdMembership {
  /** `<column> = ANY(…)` or `<column> IN (…)`, for `count` ids. */
  condition(count: number): string;
  /** The ids as that condition binds them. */
  parameters(ids: readonly string[]): unknown[];
}

/**
 * A lock named by a string that other connections wait for. PostgreSQL's advisory locks are held
 * by the transaction; MySQL's `GET_LOCK` by the session, so it is taken before the transaction and
 * released after its commit. Both statements bind the name as their one parameter.
 */
export type NamedLock =
  | { heldBy: 'transaction'; acquire: string }
  | { heldBy: 'session'; acquire: string; release: string };

/**
 * What the hand-written statements of the stores need to know about the database, in one place: the
 * only code that knows which database it runs on, besides the PostgreSQL stores and the migrations.
 */
export interface SqlDialect {
  readonly name: 'postgres' | 'mysql' | 'sqlite';
  /** TypeORM shares one connection: transactions must not overlap (see `WebhooksTransactions`). */
  readonly singleConnection: boolean;
  /** The driver's placeholder for the `index`-th bound value of a statement (`$1`, `?`). */
  parameter(index: number): string;
  /** `column` among ids bound from parameter `firstIndex` on. */
  idMembership(column: string, firstIndex: number): IdMembership;
  /** A JSON column read back as its text, not parsed by the driver. */
  jsonAsText(column: string): string;
  /** None on a single connection: its transactions are serialized already. */
  readonly namedLock: NamedLock | null;
  /**
   * `select` as a locking read: the rows it reads stay locked until the transaction ends, and a row
   * another transaction is changing is waited for, then read as that one committed it. Unchanged on
   * a single connection, which has no row locks: its writes that must not interleave with such a
   * transaction run through `WebhooksTransactions`, one after another.
   */
  lockingRead(select: string): string;
}

export function placeholderOf(dataSource: DataSource): (index: number) => string {
  return (index) => dataSource.driver.createParameter(`p${index}`, index);
}

/** A placeholder per id: for the databases without array parameters. */
export function idListMembership(
  parameter: (index: number) => string,
  column: string,
  firstIndex: number,
): IdMembership {
  return {
    condition: (count) =>
      `${column} IN (${Array.from({ length: count }, (_, index) => parameter(firstIndex + index)).join(', ')})`,
    parameters: (ids) => [...ids],
  };
}

/** A raw MIN()/MAX() of a date column: a Date (PostgreSQL, MySQL) or SQLite's UTC text. */
export function rawDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}
