import type { WebhookEvent } from '../events/event.entity';

/** The JSON body receivers get. `tenantId` stays internal to the platform. */
export function buildWebhookBody(event: WebhookEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    source: event.source,
    listId: event.listId,
    data: event.data,
  });
}
