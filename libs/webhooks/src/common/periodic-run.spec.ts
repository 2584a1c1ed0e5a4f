import { PeriodicRun } from './periodic-run';

describe('PeriodicRun', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs on every tick, skips ticks while a run is going, and stop waits for that run', async () => {
    const periodic = new PeriodicRun();
    let finish: () => void = () => undefined;
    const run = jest.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    periodic.start(1_000, run, () => undefined);

    await jest.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(run).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('reports a failed run and runs again on the next tick', async () => {
    const periodic = new PeriodicRun();
    const errors: unknown[] = [];
    const run = jest.fn(() => Promise.reject(new Error('database away')));
    periodic.start(500, run, (error) => errors.push(error));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(run).toHaveBeenCalledTimes(2);
    expect(errors).toHaveLength(2);
    await periodic.stop();
  });
});
