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

/** Retention: old settled events go with their deliveries and attempts, a short transaction a batch. */
export abstract class HistoryStore {
  /** Scans one batch of events and deletes the prunable ones with their deliveries and attempts. */
  abstract pruneBatch(query: PruneBatchQuery): Promise<PruneBatch>;
}
