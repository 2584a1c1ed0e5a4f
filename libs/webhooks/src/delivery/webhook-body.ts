import { stringify } from 'qs';
import type { WebhookEvent } from '../storage/entities/event.entity';
import type { PayloadFormat } from '../storage/entities/subscription.entity';
import type { TemplateEnvelope } from '../templates/webhook-template';
import { renderXmlEnvelope } from './xml-body';

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

/** The event as the attempt path holds it: `data` still as the JSON text it was stored as. */
export type WebhookBodySource = Pick<
  WebhookEvent,
  'id' | 'type' | 'occurredAt' | 'source' | 'listId'
> & {
  dataJson: string;
};

/**
 * The body receivers get. `json` by default; `form` is application/x-www-form-urlencoded with
 * bracketed keys (`data[contact][email]=…`), as ActiveCampaign and Mailchimp send, so existing
 * receivers can migrate; `xml` is the same envelope as XML (xml-body.ts). `tenantId` stays
 * internal to the platform.
 */
export function renderWebhookBody(event: WebhookBodySource, format: PayloadFormat): RenderedBody {
  if (format === 'form' || format === 'xml') {
    const envelope: Record<string, unknown> = { ...templateEnvelope(event) };
    return format === 'xml'
      ? { body: renderXmlEnvelope(envelope), contentType: 'application/xml; charset=utf-8' }
      : {
          body: stringify(envelope, { arrayFormat: 'indices', encoder: encodeFormPart }),
          contentType: 'application/x-www-form-urlencoded',
        };
  }
  // The stored text of `data` goes in as it is: parsing and serializing it again for every attempt
  // was the costliest step of building a request.
  const head = JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    source: event.source,
    listId: event.listId,
  });
  return {
    body: `${head.slice(0, -1)},"data":${event.dataJson}}`,
    contentType: 'application/json',
  };
}

/** The envelope as an object, `data` parsed: for the formats and templates that rebuild it. */
export function templateEnvelope(event: WebhookBodySource): TemplateEnvelope {
  return {
    id: event.id,
    type: event.type,
    timestamp: new Date(event.occurredAt).toISOString(),
    source: event.source,
    listId: event.listId,
    data: JSON.parse(event.dataJson) as unknown,
  };
}
