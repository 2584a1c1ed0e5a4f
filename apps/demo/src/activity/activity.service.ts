import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type WebhookEventSource, WebhooksService } from 'nestjs-marketing-webhooks';
import type { DataSource, EntityManager } from 'typeorm';
import { Campaign } from '../campaigns/campaign.entity';
import type { Contact } from '../contacts/contact.entity';
import { toContactView } from '../contacts/contact.view';
import { List } from '../lists/list.entity';
import { TrackingActivity } from '../tracking/tracking-activity.entity';
import { ContactEvent } from './contact-event.entity';

/** A custom event to record: `name` is one word, `description` one line. */
export interface CustomEventInput {
  name: string;
  description: string;
  origin: string;
  properties: Record<string, unknown>;
}

/** One line of a contact's activity, newest first: a campaign open, click… or a custom event. */
export type ActivityItem =
  | {
      kind: 'campaign';
      /** `opened`, `clicked`, `forwarded`, `shared`. */
      name: string;
      description: string;
      campaignId: number;
      url: string | null;
      at: string;
    }
  | {
      kind: 'event';
      name: string;
      description: string;
      origin: string;
      properties: Record<string, unknown>;
      at: string;
    };

@Injectable()
export class ActivityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Records a custom event on the contact, in the caller's transaction, and emits `type` (a type of
   * the catalogue, e.g. the demo's `contact.ordered`) with the contact, the list and the event.
   */
  async record(
    manager: EntityManager,
    contact: Contact,
    input: CustomEventInput,
    emit: { type: string; source: WebhookEventSource; data: Record<string, unknown> },
  ): Promise<ContactEvent> {
    const event = await manager.save(
      manager.create(ContactEvent, { contactId: contact.id, ...input }),
    );
    const { id, name } = await manager.findOneByOrFail(List, { id: contact.listId });
    await this.webhooks.emit(
      {
        listId: contact.listId,
        type: emit.type,
        source: emit.source,
        data: {
          contact: toContactView(contact),
          list: { id, name },
          event: { name: input.name, description: input.description, origin: input.origin },
          ...emit.data,
        },
      },
      { manager },
    );
    return event;
  }

  /** What the contact did (campaign tracking) and what other applications recorded, newest first. */
  async of(contact: Contact): Promise<ActivityItem[]> {
    const [tracked, events] = await Promise.all([
      this.dataSource.getRepository(TrackingActivity).find({ where: { contactId: contact.id } }),
      this.dataSource.getRepository(ContactEvent).find({ where: { contactId: contact.id } }),
    ]);
    const subjects = new Map<number, string>();
    for (const campaignId of new Set(tracked.map((row) => row.campaignId))) {
      const campaign = await this.dataSource.getRepository(Campaign).findOneBy({ id: campaignId });
      if (campaign) subjects.set(campaignId, campaign.subject);
    }
    const items: Array<ActivityItem & { sortKey: [number, number] }> = [
      ...tracked.map((row) => ({
        kind: 'campaign' as const,
        name: row.kind,
        description: `${row.kind} "${subjects.get(row.campaignId) ?? `campaign ${row.campaignId}`}"${row.url ? ` (${row.url})` : ''}`,
        campaignId: row.campaignId,
        url: row.url,
        at: new Date(row.createdAt).toISOString(),
        sortKey: [new Date(row.createdAt).getTime(), row.id] as [number, number],
      })),
      ...events.map((row) => ({
        kind: 'event' as const,
        name: row.name,
        description: row.description,
        origin: row.origin,
        properties: row.properties,
        at: new Date(row.createdAt).toISOString(),
        sortKey: [new Date(row.createdAt).getTime(), row.id] as [number, number],
      })),
    ];
    items.sort((a, b) => b.sortKey[0] - a.sortKey[0] || b.sortKey[1] - a.sortKey[1]);
    return items.map(({ sortKey: _sortKey, ...item }) => item);
  }
}
