import type { AttemptSubscription } from './delivery.store';
import type { SubscriptionStatus, WebhookSubscription } from './entities/subscription.entity';

/** A subscription as it is created: the database stamps the rest, the store derives the filter's path. */
export type NewSubscription = Omit<
  WebhookSubscription,
  'createdAt' | 'updatedAt' | 'filterJsonPath'
>;

/** Where a subscription lives: every read and write is scoped by both. */
export interface SubscriptionScope {
  tenantId: string;
  listId: string;
}

/** What `SubscriptionStore.activate` sets: active, with clean failure counters. */
export const ACTIVATED = {
  status: 'active',
  disabledReason: null,
  disabledAt: null,
  consecutiveFailures: 0,
  failingSince: null,
  verificationChallenge: null,
} as const satisfies Partial<WebhookSubscription>;

/** The state the caller saw, for `SubscriptionStore.activate`. */
export interface Activation {
  /** The status the caller saw: nothing changes if it is another by now. */
  from: SubscriptionStatus;
  /** The URL that was tested: an edit meanwhile keeps the subscription as it is. */
  url: string;
  /** For `pending_verification`: the challenge that was echoed. */
  challenge?: string | null;
}

/** A new signing secret (see `SubscriptionStore.rotateSecret`). */
export interface SecretRotation {
  /** The secret the caller saw: nothing changes if it is another by now. */
  current: string;
  secret: string;
  /** `current` keeps signing until then. */
  currentExpiresAt: Date;
  /** Nothing changes if the secret before `current` signs until later (it was rotated too recently). */
  latestPreviousExpiry: Date;
}

/**
 * Subscriptions. Every change that depends on the current state is one conditional write, so two
 * processes racing on a subscription cannot both win.
 */
export abstract class SubscriptionStore {
  /**
   * Inserts the subscription if its scope has fewer than `limit`; null if it is full. Atomic: creates
   * racing on one scope never end with more than `limit`.
   */
  abstract insertWithin(
    subscription: NewSubscription,
    limit: number,
  ): Promise<WebhookSubscription | null>;

  abstract findInScope(scope: SubscriptionScope, id: string): Promise<WebhookSubscription | null>;

  abstract findById(id: string): Promise<WebhookSubscription | null>;

  /**
   * What attempts read of those of `ids` (a few hundred at most) that exist, secrets decrypted, in
   * one statement; one whose secrets cannot be decrypted is left out, with a warning.
   */
  abstract findForAttempts(ids: readonly string[]): Promise<AttemptSubscription[]>;

  /** Newest first, ids below `beforeId` when given, `limit` rows at most. */
  abstract listPage(
    scope: SubscriptionScope,
    beforeId: string | undefined,
    limit: number,
  ): Promise<WebhookSubscription[]>;

  abstract statusOf(id: string): Promise<SubscriptionStatus | null>;

  /** Applies `changes` if the status is still `seen`. Returns whether it applied. */
  abstract updateIfStatus(
    id: string,
    seen: SubscriptionStatus,
    changes: Partial<WebhookSubscription>,
  ): Promise<boolean>;

  /** Disables it unless it already is. Returns whether it changed. */
  abstract disable(id: string, reason: string, at: Date): Promise<boolean>;

  /** Makes it active with clean failure counters, if it is still as the caller saw it. */
  abstract activate(id: string, activation: Activation): Promise<boolean>;

  /** Replaces the secret as `rotation` says, if it still may. Returns whether it did. */
  abstract rotateSecret(id: string, rotation: SecretRotation): Promise<boolean>;

  abstract markTestSucceeded(id: string, at: Date): Promise<void>;

  abstract markProbed(id: string, at: Date): Promise<void>;

  /** Disabled since `cutoff` and not probed since, oldest-disabled first. */
  abstract findDueForProbe(cutoff: Date, limit: number): Promise<WebhookSubscription[]>;

  abstract countWithStatus(status: SubscriptionStatus): Promise<number>;

  /** Deletes the subscription with its deliveries and their attempts, atomically. */
  abstract removeWithHistory(scope: SubscriptionScope, id: string): Promise<void>;

  /**
   * Re-encrypts with the first key of `security.encryptionKeys` the secrets and header values of
   * the subscriptions after `afterId` (by id, `limit` of them) stored in clear or under an older
   * key. A row changed meanwhile is left for the next pass. `lastId` is where the next batch
   * starts, null once there is none.
   */
  abstract reencryptSecrets(afterId: string | null, limit: number): Promise<ReencryptedBatch>;
}

export interface ReencryptedBatch {
  lastId: string | null;
  reencrypted: number;
}

/** Health counters of endpoints, written in batches by the worker (see `EndpointHealthRecorder`). */
export abstract class EndpointHealthStore {
  /** A success: no failures any more, last success at `at`. */
  abstract recordSuccesses(subscriptionIds: readonly string[], at: Date): Promise<void>;

  /** `failures` more failures each, failing since `since` unless they were already failing. */
  abstract addFailures(
    subscriptionIds: readonly string[],
    failures: number,
    since: Date,
  ): Promise<void>;

  /** Which of these active subscriptions failed `minFailures` times in a row since `cutoff` at least. */
  abstract findSustainedFailures(
    subscriptionIds: readonly string[],
    minFailures: number,
    cutoff: Date,
  ): Promise<string[]>;
}
