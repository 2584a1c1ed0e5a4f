import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

export interface EntitySql<T> {
  /** The table, escaped and qualified with its schema when it has one. */
  table: string;
  /** An escaped column name, whatever naming strategy the host configured. */
  column(property: keyof T & string): string;
  /** A value as the driver stores it in that property's column (dates, JSON on SQLite…). */
  persisted(property: keyof T & string, value: unknown): unknown;
  /**
   * Reads some columns of the entity from a hand-written SELECT: `select` goes in its column list
   * (each column aliased `<alias>_<property>`), `read` turns a result row into those properties,
   * converted as TypeORM would (dates, JSON on SQLite), without its per-query hydration machinery.
   */
  reader<K extends keyof T & string>(
    alias: string,
    properties: readonly K[],
  ): ColumnReader<Pick<T, K>>;
}

export interface ColumnReader<R> {
  select: string;
  read: (row: Record<string, unknown>) => R;
}

/** Names for hand-written statements on hot paths, taken from the entity metadata. */
export function entitySql<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
): EntitySql<T> {
  const metadata = dataSource.getMetadata(entity);
  const driver = dataSource.driver;
  const escape = (name: string) => driver.escape(name);
  const columnOf = (property: string): ColumnMetadata => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.name} has no column ${property}`);
    return column;
  };
  return {
    table: metadata.schema
      ? `${escape(metadata.schema)}.${escape(metadata.tableName)}`
      : escape(metadata.tableName),
    column: (property) => escape(columnOf(property).databaseName),
    persisted: (property, value): unknown =>
      driver.preparePersistentValue(value, columnOf(property)) as unknown,
    reader<K extends keyof T & string>(alias: string, properties: readonly K[]) {
      const columns = properties.map((property) => ({
        property,
        key: `${alias}_${property}`,
        metadata: columnOf(property),
      }));
      return {
        select: columns
          .map(
            ({ key, metadata: column }) =>
              `${escape(alias)}.${escape(column.databaseName)} AS ${escape(key)}`,
          )
          .join(', '),
        read: (row) => {
          const values: Partial<Pick<T, K>> = {};
          for (const { property, key, metadata: column } of columns) {
            values[property] = driver.prepareHydratedValue(row[key], column) as T[K];
          }
          return values as Pick<T, K>;
        },
      };
    },
  };
}
