import { GroupCommit } from './group-commit';
import { Semaphore } from './semaphore';

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe('GroupCommit', () => {
  it('flushes items submitted in the same tick together, answering each caller', async () => {
    const flushes: number[][] = [];
    const batches = new GroupCommit<number, number>(
      async (inputs) => {
        flushes.push(inputs);
        return inputs.map((input) => input * 10);
      },
      { maxBatch: 100, maxConcurrentFlushes: 1 },
    );
    await expect(Promise.all([1, 2, 3].map((n) => batches.submit(n)))).resolves.toEqual([
      10, 20, 30,
    ]);
    expect(flushes).toEqual([[1, 2, 3]]);
  });

  it('gathers items that arrive while a flush runs into the next one, within maxBatch', async () => {
    const flushes: number[][] = [];
    const gate = deferred();
    const batches = new GroupCommit<number, number>(
      async (inputs) => {
        flushes.push(inputs);
        if (flushes.length === 1) await gate.promise;
        return inputs;
      },
      { maxBatch: 2, maxConcurrentFlushes: 1 },
    );
    const first = batches.submit(1);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [2, 3, 4].map((n) => batches.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toEqual([[1]]);
    gate.release();
    await Promise.all([first, ...later]);
    expect(flushes).toEqual([[1], [2, 3], [4]]);
  });

  it('fails only the caller whose item breaks the batch', async () => {
    const batches = new GroupCommit<string, string>(
      async (inputs) => {
        if (inputs.includes('bad')) throw new Error('constraint violated');
        return inputs.map((input) => input.toUpperCase());
      },
      { maxBatch: 10, maxConcurrentFlushes: 1 },
    );
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => batches.submit(s)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'rejected', reason: new Error('constraint violated') },
      { status: 'fulfilled', value: 'C' },
    ]);
  });
});

describe('Semaphore', () => {
  it('lets `slots` holders in and serves waiters in arrival order', async () => {
    const semaphore = new Semaphore(2);
    const order: string[] = [];
    await semaphore.acquire();
    await semaphore.acquire();
    const waiting = ['a', 'b'].map((name) => semaphore.acquire().then(() => order.push(name)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    semaphore.release();
    await waiting[0];
    expect(order).toEqual(['a']);
    semaphore.release();
    await waiting[1];
    expect(order).toEqual(['a', 'b']);
  });
});
