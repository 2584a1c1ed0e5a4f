/** What an `@OnInboundWebhook` handler receives: a verified, stored event. */
export interface InboundWebhookEvent {
  /** Stable across retries and replays: use it to make a handler idempotent. */
  id: string;
  endpointId: string;
  tenantId: string;
  listId: string | null;
  /** The endpoint's scheme: `stripe`, `shopify`, … */
  provider: string;
  /** The provider's event type, when it has one. */
  type: string | null;
  /** The provider's event id, when it has one. */
  providerEventId: string | null;
  /** The body parsed: JSON, or a form as an object; null when it is neither. */
  payload: unknown;
  /** The raw body as received. */
  body: string;
  /** The headers kept with the event, lower-case. */
  headers: Record<string, string>;
  receivedAt: Date;
  /** 1 for the first processing attempt. */
  attempt: number;
}
