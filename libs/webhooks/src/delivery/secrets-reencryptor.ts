import { Injectable, Logger } from '@nestjs/common';
import { SubscriptionStore } from '../storage/subscription.store';

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

  constructor(private readonly subscriptions: SubscriptionStore) {}

  /** One pass over every subscription; returns how many were re-encrypted. */
  async reencrypt(): Promise<{ reencrypted: number }> {
    let afterId: string | null = null;
    let reencrypted = 0;
    do {
      const batch = await this.subscriptions.reencryptSecrets(afterId, BATCH);
      reencrypted += batch.reencrypted;
      afterId = batch.lastId;
    } while (afterId !== null);
    if (reencrypted > 0)
      this.logger.log(`Re-encrypted the secrets of ${reencrypted} subscriptions`);
    return { reencrypted };
  }
}
