import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { WebhookEvent } from './event.entity';

/** Rows per INSERT: 7 columns each, well under the bind-parameter limits of PostgreSQL and SQLite. */
const INSERT_CHUNK = 200;

/** Inserts outbox rows without reading them back (one statement per chunk, no hydration). */
export async function insertEvents(
  manager: EntityManager,
  events: readonly WebhookEvent[],
): Promise<void> {
  for (let start = 0; start < events.length; start += INSERT_CHUNK) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(WebhookEvent)
      // `data` is free-form JSON, which TypeORM's deep-partial type cannot describe.
      .values(events.slice(start, start + INSERT_CHUNK) as QueryDeepPartialEntity<WebhookEvent>[])
      .updateEntity(false)
      .execute();
  }
}
