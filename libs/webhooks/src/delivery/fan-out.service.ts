import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookEvent } from '../events/event.entity';
import { subscriptionMatches } from '../subscriptions/subscription-matching';
import { WebhookSubscription } from '../subscriptions/subscription.entity';
import { WebhookDelivery } from './delivery.entity';

/** (tenant, list) pairs per candidate query. */
const LISTS_PER_QUERY = 100;
/** Paused and unverified subscriptions get their deliveries too: held until they become active. */
const RECEIVING_STATUSES = ['active', 'paused', 'pending_verification'] as const;

type Candidate = Pick<WebhookSubscription, 'id' | 'tenantId' | 'listId' | 'events' | 'sources'>;

export type DeliveryRow = Pick<
  WebhookDelivery,
  'id' | 'eventId' | 'subscriptionId' | 'tenantId' | 'status' | 'attempts' | 'nextAttemptAt'
>;

export interface FanOutPlan {
  rows: DeliveryRow[];
  deliveryIds: string[][];
}

const listKey = (item: { tenantId: string; listId: string }) =>
  JSON.stringify([item.tenantId, item.listId]);

/** Plans one delivery per event and matching subscription that is not disabled. */
@Injectable()
export class FanOutService {
  /** The delivery rows to write for `events`, and their ids per event (in the order of `events`). */
  async plan(manager: EntityManager, events: readonly WebhookEvent[]): Promise<FanOutPlan> {
    const candidates = await this.candidatesByList(manager, events);
    const now = new Date();
    const rows: DeliveryRow[] = [];
    const deliveryIds = events.map((event) =>
      (candidates.get(listKey(event)) ?? [])
        .filter((subscription) => subscriptionMatches(subscription, event))
        .map((subscription) => {
          const id = uuidv7();
          rows.push({
            id,
            eventId: event.id,
            subscriptionId: subscription.id,
            tenantId: event.tenantId,
            status: 'pending',
            attempts: 0,
            nextAttemptAt: now,
          });
          return id;
        }),
    );
    return { rows, deliveryIds };
  }

  private async candidatesByList(
    manager: EntityManager,
    events: readonly WebhookEvent[],
  ): Promise<Map<string, Candidate[]>> {
    const lists = [
      ...new Map(events.map((event) => [listKey(event), event] as const)).values(),
    ].map(({ tenantId, listId }) => ({ tenantId, listId, status: In([...RECEIVING_STATUSES]) }));
    const byList = new Map<string, Candidate[]>();
    for (let start = 0; start < lists.length; start += LISTS_PER_QUERY) {
      const found: Candidate[] = await manager.getRepository(WebhookSubscription).find({
        select: { id: true, tenantId: true, listId: true, events: true, sources: true },
        where: lists.slice(start, start + LISTS_PER_QUERY),
      });
      for (const subscription of found) {
        const key = listKey(subscription);
        const list = byList.get(key);
        if (list) list.push(subscription);
        else byList.set(key, [subscription]);
      }
    }
    return byList;
  }
}
