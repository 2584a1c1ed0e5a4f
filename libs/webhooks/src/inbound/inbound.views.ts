import type { WebhookInboundEndpoint } from '../storage/entities/inbound-endpoint.entity';
import type { ListedInboundEvent } from '../storage/inbound-event.store';

/** An inbound endpoint as the admin API shows it: its receiving path, never its tenant. */
export type InboundEndpointView = Omit<
  WebhookInboundEndpoint,
  'tenantId' | 'token' | 'secret' | 'previousSecret'
> & {
  /** Where senders post: the host puts its own origin in front. */
  path: string;
  /** Only when created, rotated or asked for. */
  secret?: string;
};

/** A received event as the admin API lists it (without its body). */
export type InboundEventView = Omit<ListedInboundEvent, 'tenantId' | 'dedupKey'>;

export function toInboundEndpointView(
  endpoint: WebhookInboundEndpoint,
  routePrefix: string,
  { includeSecret }: { includeSecret: boolean },
): InboundEndpointView {
  const { tenantId: _tenantId, token, secret, previousSecret: _previousSecret, ...rest } = endpoint;
  const path = `${routePrefix ? `/${routePrefix}` : ''}/webhooks/in/${token}`;
  return includeSecret ? { ...rest, path, secret } : { ...rest, path };
}

export function toInboundEventView(event: ListedInboundEvent): InboundEventView {
  const { tenantId: _tenantId, dedupKey: _dedupKey, ...rest } = event;
  return rest;
}
