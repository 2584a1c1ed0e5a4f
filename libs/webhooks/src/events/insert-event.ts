import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { WebhookEvent } from './event.entity';

/** Inserts an outbox row without reading it back (one statement, no hydration). */
export async function insertEvent(manager: EntityManager, event: WebhookEvent): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(WebhookEvent)
    // `data` is free-form JSON, which TypeORM's deep-partial type cannot describe.
    .values(event as QueryDeepPartialEntity<WebhookEvent>)
    .updateEntity(false)
    .execute();
}
