import { Inject, Injectable } from '@nestjs/common';
import {
  createKeyRing,
  openSecret,
  SEALED_PREFIX,
  sealingKeyId,
  sealSecret,
  type KeyRing,
} from '../security/secret-envelope';
import { WEBHOOKS_OPTIONS, type ResolvedWebhooksOptions } from '../webhooks.options';
import type { WebhookSubscription } from './entities/subscription.entity';

/** The columns of a subscription that are encrypted at rest. */
export type SecretFields = Pick<WebhookSubscription, 'secret' | 'previousSecret' | 'headers'>;

/** Decrypted values kept: the worker reads the same subscriptions for every attempt. */
const MAX_CACHED = 10_000;

/**
 * Encrypts a subscription's signing secrets and custom header values as the stores write them, and
 * decrypts them as they read them, so that nothing outside storage/ sees an envelope. The row id and
 * the column (and header name) are the envelope's associated data. Without a key ring, values are
 * stored as given, as before.
 */
@Injectable()
export class SubscriptionSecrets {
  private readonly ring: KeyRing | null;
  private readonly opened = new Map<string, string>();

  constructor(@Inject(WEBHOOKS_OPTIONS) options: ResolvedWebhooksOptions) {
    this.ring = createKeyRing(options.encryptionKeys);
  }

  get encrypting(): boolean {
    return this.ring !== null;
  }

  /** A copy of `fields` (those present) as stored for row `id`. */
  seal<T extends Partial<SecretFields>>(id: string, fields: T): T {
    const ring = this.ring;
    if (!ring) return fields;
    const sealed = { ...fields };
    if (typeof fields.secret === 'string') {
      sealed.secret = sealSecret(fields.secret, contextOf(id, 'secret'), ring);
    }
    if (typeof fields.previousSecret === 'string') {
      sealed.previousSecret = sealSecret(
        fields.previousSecret,
        contextOf(id, 'previousSecret'),
        ring,
      );
    }
    if (fields.headers) {
      sealed.headers = mapValues(fields.headers, (name, value) =>
        sealSecret(value, contextOf(id, `headers.${name}`), ring),
      );
    }
    return sealed;
  }

  /** Decrypts, in place, the fields of a row just read. */
  open<T extends { id: string } & Partial<SecretFields>>(row: T): T {
    if (typeof row.secret === 'string') row.secret = this.openOne(row.id, 'secret', row.secret);
    if (typeof row.previousSecret === 'string') {
      row.previousSecret = this.openOne(row.id, 'previousSecret', row.previousSecret);
    }
    if (row.headers) {
      row.headers = mapValues(row.headers, (name, value) =>
        this.openOne(row.id, `headers.${name}`, value),
      );
    }
    return row;
  }

  /** Whether a stored row holds a value in clear or sealed by another key than the first. */
  needsResealing(stored: Partial<SecretFields>): boolean {
    const ring = this.ring;
    if (!ring) return false;
    const stale = (value: string | null | undefined) =>
      typeof value === 'string' && sealingKeyId(value) !== ring.currentId;
    return (
      stale(stored.secret) ||
      stale(stored.previousSecret) ||
      Object.values(stored.headers ?? {}).some(stale)
    );
  }

  private openOne(id: string, column: string, value: string): string {
    if (!value.startsWith(SEALED_PREFIX)) return value;
    const context = contextOf(id, column);
    // The context is part of the key: an envelope copied to another row is decrypted (and refused) anew.
    const cacheKey = `${context}\n${value}`;
    const cached = this.opened.get(cacheKey);
    if (cached !== undefined) return cached;
    const plaintext = openSecret(value, context, this.ring);
    if (this.opened.size >= MAX_CACHED) {
      this.opened.delete(this.opened.keys().next().value as string);
    }
    this.opened.set(cacheKey, plaintext);
    return plaintext;
  }
}

function contextOf(id: string, column: string): string {
  return `webhook_subscriptions.${column}:${id}`;
}

function mapValues(
  headers: Record<string, string>,
  map: (name: string, value: string) => string,
): Record<string, string> {
  const mapped: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) mapped[name] = map(name, value);
  return mapped;
}
