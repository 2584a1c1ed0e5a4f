import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Multi-row INSERTs of `rowsPerStatement` rows, without reading anything back (no hydration). Keep
 * rows × columns under SQLite's bind-parameter limit.
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  rows: ReadonlyArray<QueryDeepPartialEntity<T>>,
  rowsPerStatement: number,
): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(start, start + rowsPerStatement))
      .updateEntity(false)
      .execute();
  }
}
