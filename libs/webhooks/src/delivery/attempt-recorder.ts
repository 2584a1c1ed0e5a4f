import { Injectable } from '@nestjs/common';
import { GroupCommit } from '../common/group-commit';
import { AttemptStore, type AttemptRecord } from '../storage/attempt.store';

/** Attempts written by one statement (PostgreSQL) or one transaction. */
const MAX_BATCH = 200;

/**
 * Records attempts: the attempt row, and the delivery's new state unless another attempt of the
 * same delivery was recorded first. Attempts finishing at about the same time share one statement
 * and one commit (group commit), which is what lets a worker keep up with a fast receiver.
 */
@Injectable()
export class AttemptRecorder {
  // One statement at a time: attempts ending meanwhile wait and share the next one. Two at a time
  // halved the batches, and each statement costs the worker a wake-up of PostgreSQL (the bench's
  // profile: more than the rows themselves).
  private readonly batches = new GroupCommit<AttemptRecord, boolean>(
    (records) => this.attempts.record(records),
    { maxBatch: MAX_BATCH, maxConcurrentFlushes: 1 },
  );

  constructor(private readonly attempts: AttemptStore) {}

  /** Resolves to false when the delivery had already moved past this attempt. */
  record(record: AttemptRecord): Promise<boolean> {
    return this.batches.submit(record);
  }
}
