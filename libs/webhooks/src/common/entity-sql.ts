import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

export interface EntitySql<T> {
  /** The table, escaped and qualified with its schema when it has one. */
  table: string;
  /** An escaped column name, whatever naming strategy the host configured. */
  column(property: keyof T & string): string;
}

/** Names for hand-written statements on hot paths, taken from the entity metadata. */
export function entitySql<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
): EntitySql<T> {
  const metadata = dataSource.getMetadata(entity);
  const escape = (name: string) => dataSource.driver.escape(name);
  return {
    table: metadata.schema
      ? `${escape(metadata.schema)}.${escape(metadata.tableName)}`
      : escape(metadata.tableName),
    column(property) {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${metadata.name} has no column ${property}`);
      return escape(column.databaseName);
    },
  };
}
