export interface GroupCommitOptions {
  /** Most items written by one flush. */
  maxBatch: number;
  /** Flushes allowed to run at once; items arriving meanwhile wait and go together. */
  maxConcurrentFlushes: number;
}

interface Pending<TIn, TOut> {
  input: TIn;
  resolve: (output: TOut) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while earlier flushes run are written together by the next one. An
 * idle system flushes each item at once (no added latency); a busy one pays one database round trip
 * and one commit per batch instead of per item. When a batch fails, its items are retried one by
 * one, so a single bad item fails only its own caller.
 */
export class GroupCommit<TIn, TOut> {
  private readonly waiting: Array<Pending<TIn, TOut>> = [];
  private flushing = 0;
  private drainScheduled = false;

  constructor(
    private readonly flush: (inputs: TIn[]) => Promise<TOut[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(input: TIn): Promise<TOut> {
    return new Promise<TOut>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      // Deferred to the end of the current tick so that items submitted together share a flush.
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        queueMicrotask(() => {
          this.drainScheduled = false;
          this.drain();
        });
      }
    });
  }

  private drain(): void {
    while (this.flushing < this.options.maxConcurrentFlushes && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.flushing++;
      void this.write(batch).finally(() => {
        this.flushing--;
        this.drain();
      });
    }
  }

  private async write(batch: Array<Pending<TIn, TOut>>): Promise<void> {
    try {
      const outputs = await this.flush(batch.map((item) => item.input));
      batch.forEach((item, index) => item.resolve(outputs[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const item of batch) await this.write([item]);
    }
  }
}
