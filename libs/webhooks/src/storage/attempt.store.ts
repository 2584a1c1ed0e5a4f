import type { AttemptErrorKind, AttemptTrigger, WebhookAttempt } from './entities/attempt.entity';
import type { DeliveryStatus } from './entities/delivery.entity';

/** What one HTTP try gave, as stored. */
export interface AttemptResult {
  statusCode: number | null;
  durationMs: number;
  errorKind: AttemptErrorKind | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  trigger: AttemptTrigger;
  outcome: AttemptResult;
  /** The delivery's status after this attempt. */
  status: DeliveryStatus;
  attemptedAt: Date;
  nextAttemptAt: Date | null;
}

/** Attempts: written in batches by the worker, read by the delivery log. */
export abstract class AttemptStore {
  /**
   * Writes the attempts, and each delivery's new state unless another attempt of the same delivery
   * was recorded first (the delivery is no longer at `attempt - 1`) or it was cancelled meanwhile,
   * in one atomic write. Resolves,
   * per record, whether the delivery's state was written; of several records of one delivery in a
   * batch, only the first can be.
   */
  abstract record(records: readonly AttemptRecord[]): Promise<boolean[]>;

  /** Attempts of these deliveries, by attempt number. */
  abstract listForDeliveries(deliveryIds: readonly string[]): Promise<WebhookAttempt[]>;
}
