/** Rows removed (retention) or changed (erasure) by one batch or one run. */
export interface PrunedRows {
  events: number;
  deliveries: number;
  attempts: number;
}

/**
 * One retention batch: events are scanned in id order (UUIDv7, so oldest first) after `afterId`
 * and before `scanBefore`, `limit` at a time.
 */
export interface PruneBatchQuery {
  afterId: string | null;
  /** The youngest bound of the two below: no event after it is even looked at. */
  scanBefore: string;
  /** Events before this id whose deliveries all succeeded (or were cancelled) go; null: none. */
  settledBefore: string | null;
  /**
   * Events before this id whose deliveries are all done, some of them failed for good (exhausted,
   * or failed with no retry due), go; null: none.
   */
  failedBefore: string | null;
  limit: number;
}

export interface PruneBatch {
  /** The last event looked at, pruned or not: where the next batch starts (null: nothing left). */
  lastScannedId: string | null;
  pruned: PrunedRows;
}

/** What one erasure batch changed. */
export interface ErasedRows {
  /** Events of the subject this batch found: fewer than asked, and none of them are left. */
  found: number;
  events: number;
  attempts: number;
  deliveriesCancelled: number;
}

/**
 * The history's lifecycle, a short transaction per batch: retention deletes old settled events with
 * their deliveries and attempts; erasure redacts what is stored about one subject.
 */
export abstract class HistoryStore {
  /**
   * Scans one batch of events and deletes the prunable ones with their deliveries and attempts. An
   * event whose delivery is reopened meanwhile (redelivered) stays: a redelivery either comes first
   * and keeps its event, or comes after and finds its delivery gone.
   */
  abstract pruneBatch(query: PruneBatchQuery): Promise<PruneBatch>;

  /**
   * Up to `limit` events of the subject: their data becomes `{}` and they no longer name it, their
   * attempts lose the receivers' response excerpts, and their deliveries not sent yet (pending, held,
   * failed) are cancelled. Fewer than `limit` found: none of the subject's are left.
   */
  abstract eraseSubjectBatch(subject: string, limit: number): Promise<ErasedRows>;
}
