import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { insertRows } from './insert-rows';
import { WebhookEvent } from '../entities/event.entity';

/** Rows per INSERT: 9 columns each, well under the bind-parameter limits of PostgreSQL and SQLite. */
const INSERT_CHUNK = 200;

/** Inserts outbox rows without reading them back. */
export async function insertEvents(
  manager: EntityManager,
  events: readonly WebhookEvent[],
): Promise<void> {
  // `data` is free-form JSON, which TypeORM's deep-partial type cannot describe.
  await insertRows(
    manager,
    WebhookEvent,
    events as ReadonlyArray<QueryDeepPartialEntity<WebhookEvent>>,
    INSERT_CHUNK,
  );
}
