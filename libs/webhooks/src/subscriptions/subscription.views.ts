import type { WebhookAttempt } from '../storage/entities/attempt.entity';
import type { ListedDelivery } from '../storage/delivery.store';
import type { WebhookSubscription } from '../storage/entities/subscription.entity';

export interface Page<T> {
  data: T[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

export type WebhookSubscriptionView = Omit<
  WebhookSubscription,
  'secret' | 'tenantId' | 'previousSecret' | 'verificationChallenge' | 'filterJsonPath'
> & {
  secret?: string;
};

export type WebhookAttemptView = Omit<WebhookAttempt, 'deliveryId'>;

export type WebhookDeliveryView = Omit<ListedDelivery, 'tenantId' | 'attempts'> & {
  attemptCount: number;
  attempts: WebhookAttemptView[];
};

export function toSubscriptionView(
  subscription: WebhookSubscription,
  { includeSecret }: { includeSecret: boolean },
): WebhookSubscriptionView {
  const {
    secret,
    tenantId: _tenantId,
    previousSecret: _previousSecret,
    verificationChallenge: _verificationChallenge,
    filterJsonPath: _filterJsonPath,
    ...rest
  } = subscription;
  return includeSecret ? { ...rest, secret } : rest;
}

export function toDeliveryView(
  delivery: ListedDelivery,
  attempts: WebhookAttempt[],
): WebhookDeliveryView {
  const { tenantId: _tenantId, attempts: attemptCount, ...rest } = delivery;
  return {
    ...rest,
    attemptCount,
    attempts: attempts.map(({ deliveryId: _deliveryId, ...attempt }) => attempt),
  };
}

export interface TestDeliveryResult {
  delivered: boolean;
  statusCode: number | null;
  durationMs: number;
  error?: string;
}
