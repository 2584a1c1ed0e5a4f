import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookEvent } from '../events/event.entity';
import { subscriptionMatches } from '../subscriptions/subscription-matching';
import { WebhookSubscription } from '../subscriptions/subscription.entity';
import { WebhookDelivery } from './delivery.entity';

/** Rows per INSERT: well below the bind-parameter limits of PostgreSQL and SQLite. */
const INSERT_CHUNK = 500;

/** Turns one event into one delivery row per matching subscription that is not disabled. */
@Injectable()
export class FanOutService {
  async fanOut(manager: EntityManager, event: WebhookEvent): Promise<string[]> {
    const candidates = await manager
      .getRepository(WebhookSubscription)
      .createQueryBuilder('subscription')
      .select(['subscription.id', 'subscription.events', 'subscription.sources'])
      .where('subscription.tenantId = :tenantId', { tenantId: event.tenantId })
      .andWhere('subscription.listId = :listId', { listId: event.listId })
      // Paused and unverified subscriptions get their deliveries too: held until they become active.
      .andWhere('subscription.status IN (:...statuses)', {
        statuses: ['active', 'paused', 'pending_verification'],
      })
      .getMany();

    const now = new Date();
    const rows = candidates
      .filter((subscription) => subscriptionMatches(subscription, event))
      .map((subscription) => ({
        id: uuidv7(),
        eventId: event.id,
        subscriptionId: subscription.id,
        tenantId: event.tenantId,
        status: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
      }));

    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(WebhookDelivery)
        .values(rows.slice(start, start + INSERT_CHUNK))
        .updateEntity(false)
        .execute();
    }
    return rows.map((row) => row.id);
  }
}
