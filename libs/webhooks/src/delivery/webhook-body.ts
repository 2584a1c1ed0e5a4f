import { stringify } from 'qs';
import type { WebhookEvent } from '../events/event.entity';
import type { PayloadFormat } from '../subscriptions/subscription.entity';

/**
 * Keys and values are percent-encoded (so a key inside `data` such as `a&type=x` cannot add a field),
 * except the brackets of the key path, which receivers of ActiveCampaign-style payloads expect as is.
 */
function encodeFormPart(
  part: unknown,
  defaultEncoder: (value: unknown) => string,
  _charset: string,
  kind: 'key' | 'value',
): string {
  const encoded = defaultEncoder(part);
  return kind === 'key' ? encoded.replace(/%5B/gi, '[').replace(/%5D/gi, ']') : encoded;
}

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
      body: stringify(envelope, { arrayFormat: 'indices', encoder: encodeFormPart }),
      contentType: 'application/x-www-form-urlencoded',
    };
  }
  return { body: JSON.stringify(envelope), contentType: 'application/json' };
}
