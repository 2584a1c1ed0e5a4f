import { stringify } from 'qs';
import type { WebhookEvent } from '../events/event.entity';
import type { PayloadFormat } from '../subscriptions/subscription.entity';

export interface RenderedBody {
  body: string;
  contentType: string;
}

/**
 * The body receivers get. `json` by default; `form` is application/x-www-form-urlencoded with
 * bracketed keys (`data[contact][email]=…`), as ActiveCampaign and Mailchimp send, so existing
 * receivers can migrate. `tenantId` stays internal to the platform.
 */
export function renderWebhookBody(event: WebhookEvent, format: PayloadFormat): RenderedBody {
  const envelope = {
    id: event.id,
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    source: event.source,
    listId: event.listId,
    data: event.data,
  };
  if (format === 'form') {
    return {
      body: stringify(envelope, {
        arrayFormat: 'indices',
        encodeValuesOnly: true,
        strictNullHandling: false,
      }),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  return { body: JSON.stringify(envelope), contentType: 'application/json' };
}
