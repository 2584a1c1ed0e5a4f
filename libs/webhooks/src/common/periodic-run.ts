/**
 * Runs `run` every `everyMs`, one run at a time (a tick that finds the last run still going skips),
 * without keeping the process alive; `stop` clears the timer and waits for a run in progress.
 */
export class PeriodicRun {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  start(everyMs: number, run: () => Promise<unknown>, onError: (error: unknown) => void): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = run()
        .catch(onError)
        .finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
