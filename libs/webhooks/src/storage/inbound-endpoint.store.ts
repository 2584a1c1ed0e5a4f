import type { WebhookInboundEndpoint } from './entities/inbound-endpoint.entity';
import type { ReencryptedBatch } from './subscription.store';

/** An inbound endpoint as it is created: the database stamps the rest. */
export type NewInboundEndpoint = Omit<WebhookInboundEndpoint, 'createdAt' | 'updatedAt'>;

/** What an owner may change on an endpoint. */
export type InboundEndpointChanges = Partial<
  Pick<WebhookInboundEndpoint, 'name' | 'listId' | 'settings' | 'scheme' | 'secret'>
>;

export interface InboundEndpointPageQuery {
  tenantId: string;
  /** Only the endpoints of these lists. */
  listIds?: readonly string[];
  /** Ids below this one (the previous page's last). */
  beforeId?: string;
  limit: number;
}

/** A new secret; `current` keeps being accepted until `currentExpiresAt`. */
export interface InboundSecretRotation {
  current: string;
  secret: string;
  currentExpiresAt: Date;
}

/** Inbound endpoints. Every admin read and write is scoped by the tenant. */
export abstract class InboundEndpointStore {
  abstract insert(endpoint: NewInboundEndpoint): Promise<WebhookInboundEndpoint>;

  abstract findInTenant(tenantId: string, id: string): Promise<WebhookInboundEndpoint | null>;

  /** The endpoint a receiving URL names (no tenant: the token is the only thing the sender has). */
  abstract findByToken(token: string): Promise<WebhookInboundEndpoint | null>;

  /** Newest first. */
  abstract listPage(query: InboundEndpointPageQuery): Promise<WebhookInboundEndpoint[]>;

  /** Returns whether the endpoint exists in the tenant (and was changed). */
  abstract update(tenantId: string, id: string, changes: InboundEndpointChanges): Promise<boolean>;

  /** Replaces the secret if it is still `rotation.current`. Returns whether it did. */
  abstract rotateSecret(
    tenantId: string,
    id: string,
    rotation: InboundSecretRotation,
  ): Promise<boolean>;

  /**
   * Re-encrypts with the first key of `security.encryptionKeys` the secrets of the endpoints after
   * `afterId` (by id, `limit` of them) stored in clear or under an older key; a row changed meanwhile
   * is left for the next pass (see `SubscriptionStore.reencryptSecrets`).
   */
  abstract reencryptSecrets(afterId: string | null, limit: number): Promise<ReencryptedBatch>;

  /** Deletes the endpoint with its received events, atomically. Returns whether it existed. */
  abstract removeWithEvents(tenantId: string, id: string): Promise<boolean>;
}
