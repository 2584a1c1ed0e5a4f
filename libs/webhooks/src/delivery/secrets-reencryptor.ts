import { Injectable, Logger } from '@nestjs/common';
import { InboundEndpointStore } from '../storage/inbound-endpoint.store';
import { SubscriptionStore, type ReencryptedBatch } from '../storage/subscription.store';

/** Subscriptions read and re-encrypted per statement batch. */
const BATCH = 200;

/**
 * After a key is added to `security.encryptionKeys` (or the first one, on an existing install),
 * re-encrypts with the first key every secret and header value stored in clear or under an older
 * key, a batch at a time. Run once by a worker when it starts; safe to run concurrently with
 * everything else (each row is rewritten only if unchanged since it was read).
 */
@Injectable()
export class SecretsReencryptor {
  private readonly logger = new Logger('WebhooksSecrets');

  constructor(
    private readonly subscriptions: SubscriptionStore,
    private readonly inboundEndpoints: InboundEndpointStore,
  ) {}

  /** One pass over every subscription and inbound endpoint; returns how many were re-encrypted. */
  async reencrypt(): Promise<{ reencrypted: number }> {
    const subscriptions = await everyBatch((afterId) =>
      this.subscriptions.reencryptSecrets(afterId, BATCH),
    );
    const endpoints = await everyBatch((afterId) =>
      this.inboundEndpoints.reencryptSecrets(afterId, BATCH),
    );
    if (subscriptions > 0)
      this.logger.log(`Re-encrypted the secrets of ${subscriptions} subscriptions`);
    if (endpoints > 0)
      this.logger.log(`Re-encrypted the secrets of ${endpoints} inbound endpoints`);
    return { reencrypted: subscriptions + endpoints };
  }
}

async function everyBatch(
  batch: (afterId: string | null) => Promise<ReencryptedBatch>,
): Promise<number> {
  let afterId: string | null = null;
  let reencrypted = 0;
  do {
    const done = await batch(afterId);
    reencrypted += done.reencrypted;
    afterId = done.lastId;
  } while (afterId !== null);
  return reencrypted;
}
