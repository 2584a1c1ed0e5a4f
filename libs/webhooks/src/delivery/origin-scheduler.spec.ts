import { TROUBLE_LEASE_MS } from './origin-limiter';
import {
  OriginScheduler,
  originOf,
  type OriginSchedulerSettings,
  type ScheduledAttempt,
} from './origin-scheduler';

type Attempt = ScheduledAttempt<string>;

const A = 'http://a.example';
const B = 'http://b.example';

const attempt = (deliveryId: string, loaded?: Attempt['loaded']): Attempt => ({
  deliveryId,
  attempt: 1,
  trigger: 'scheduled',
  loaded,
});

/** A scheduler whose ports record what they are asked; resumed attempts end when the test says. */
function harness(settings: Partial<OriginSchedulerSettings> = {}) {
  const resumed: Array<{ id: string; job: Attempt; origin: string; finish(error?: Error): void }> =
    [];
  const leases: Array<{ id: string; forMs: number }> = [];
  const setDue: string[][] = [];
  const enqueued: Array<{ id: string; delayMs: number; origin: string }> = [];
  const warnings: string[] = [];
  const scheduler = new OriginScheduler<string>(
    {
      maxInFlightPerOrigin: 2,
      concurrency: 5,
      relayIntervalMs: 10_000,
      requestTimeoutMs: 1_000,
      parkLeaseMs: 2_000,
      now: () => Date.now(),
      ...settings,
    },
    {
      resume: (job, origin) =>
        new Promise<void>((resolve, reject) =>
          resumed.push({
            id: job.deliveryId,
            job,
            origin,
            finish: (error) => (error ? reject(error) : resolve()),
          }),
        ),
      lease: async (job, forMs) => void leases.push({ id: job.deliveryId, forMs }),
      setDue: async (jobs) => void setDue.push(jobs.map((job) => job.deliveryId)),
      enqueue: async (job, delayMs, origin) =>
        void enqueued.push({ id: job.deliveryId, delayMs, origin }),
      warn: (message) => void warnings.push(message),
    },
  );
  /** What the processor does with a job: run it when it gets a slot, park it otherwise. */
  const offer = async (id: string, origin = A, dueAt?: Date) => {
    if (scheduler.tryClaim(origin)) return 'running';
    await scheduler.park(attempt(id), origin, dueAt);
    return 'parked';
  };
  const ids = () => resumed.map((entry) => entry.id);
  return { scheduler, offer, resumed, ids, leases, setDue, enqueued, warnings };
}

describe('OriginScheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('lets one request at a time to an origin until it first answers, then maxInFlightPerOrigin', async () => {
    const { scheduler, offer, ids } = harness();
    expect(await offer('first')).toBe('running');
    expect(await offer('second')).toBe('parked');
    expect(await offer('third')).toBe('parked');
    expect(scheduler.mustWait(A)).toBe(true);
    expect(scheduler.mustWait(B)).toBe(false);

    scheduler.requestEnded(A, null);
    // The answer frees the slot and opens the origin's full share: both parked attempts start.
    expect(ids()).toEqual(['second', 'third']);
    expect(await offer('fourth')).toBe('parked');
  });

  it('caps requests in flight per origin at maxInFlightPerOrigin once it answered', async () => {
    const { scheduler, offer } = harness({ maxInFlightPerOrigin: 3 });
    expect(await offer('probe')).toBe('running');
    scheduler.requestEnded(A, null);
    expect(await offer('one')).toBe('running');
    expect(await offer('two')).toBe('running');
    expect(await offer('three')).toBe('running');
    expect(await offer('four')).toBe('parked');
    expect(await offer('elsewhere', B)).toBe('running');
  });

  it('resumes parked attempts first come, first served, one per freed slot, each holding it', async () => {
    const { scheduler, offer, ids, resumed } = harness();
    await offer('probe');
    scheduler.requestEnded(A, null);
    await offer('busy-1');
    await offer('busy-2');
    for (const id of ['p1', 'p2', 'p3', 'p4']) expect(await offer(id)).toBe('parked');

    scheduler.release(A);
    expect(ids()).toEqual(['p1']);
    scheduler.release(A);
    expect(ids()).toEqual(['p1', 'p2']);
    expect(scheduler.tryClaim(A)).toBe(false);
    resumed[0].finish();
    scheduler.requestEnded(A, null);
    expect(ids()).toEqual(['p1', 'p2', 'p3']);
    expect(resumed.every((entry) => entry.origin === A)).toBe(true);
  });

  it('holds an origin that timed out or refused to one request, until it answers again', async () => {
    const { scheduler, offer, ids } = harness();
    await offer('probe');
    scheduler.requestEnded(A, null);
    await offer('one');
    await offer('two');
    await offer('parked-1');
    await offer('parked-2');
    scheduler.requestEnded(A, 'timeout');
    scheduler.requestEnded(A, 'connection');
    // Two slots freed, but a troubled origin has one: only one parked attempt runs.
    expect(ids()).toEqual(['parked-1']);
    scheduler.requestEnded(A, 'http_status');
    // An answer, whatever its status, gives the origin its share back.
    expect(ids()).toEqual(['parked-1', 'parked-2']);
  });

  it('sends requests to troubled origins through a lane of their own, a fifth of concurrency', async () => {
    const { scheduler } = harness({ concurrency: 5 });
    for (const origin of [A, B]) {
      scheduler.tryClaim(origin);
      scheduler.requestEnded(origin, 'timeout');
    }
    const leaveA = await scheduler.enterLane(A);
    let bEntered = false;
    const enteringB = scheduler.enterLane(B).then((leave) => {
      bEntered = true;
      return leave;
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(bEntered).toBe(false);
    // Healthy origins keep all of `concurrency`.
    const healthy = await Promise.all(
      Array.from({ length: 5 }, (_unused, n) => scheduler.enterLane(`http://ok-${n}.example`)),
    );
    expect(healthy).toHaveLength(5);
    leaveA();
    leaveA();
    const leaveB = await enteringB;
    expect(bEntered).toBe(true);
    // Leaving twice freed the slot once: B holds the lane.
    let enteredAgain = false;
    const again = scheduler.enterLane(A).then(() => (enteredAgain = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(enteredAgain).toBe(false);
    leaveB();
    await again;
    expect(enteredAgain).toBe(true);
  });

  it('leases an attempt whose due time is unknown at once, and one due soon not at all', async () => {
    const { scheduler, offer, leases } = harness();
    await offer('busy');
    await offer('unknown-due');
    await offer('due-now', A, new Date(Date.now()));
    expect(leases).toEqual([{ id: 'unknown-due', forMs: 2_000 }]);
    scheduler.requestEnded(A, 'timeout');
    await offer('behind-troubled');
    expect(leases.at(-1)).toEqual({ id: 'behind-troubled', forMs: TROUBLE_LEASE_MS });
  });

  it('renews the leases of attempts parked long, and lets their stale rows go', async () => {
    const { scheduler, offer, leases, resumed } = harness();
    await offer('busy');
    const withRow = attempt('with-row', { row: 'row', at: Date.now() });
    await scheduler.park(withRow, A, new Date(Date.now()));
    expect(scheduler.freshRow(withRow)).toEqual({ row: 'row', at: Date.now() });
    expect(leases).toEqual([]);
    // Parked until 8 s after it was due (relay interval less timeout and recording margin); the
    // sweep renews leases that end within two seconds.
    await jest.advanceTimersByTimeAsync(5_000);
    expect(leases).toEqual([]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(leases).toEqual([{ id: 'with-row', forMs: 2_000 }]);

    scheduler.release(A);
    expect(resumed.map(({ job }) => [job.deliveryId, job.loaded])).toEqual([
      ['with-row', undefined],
    ]);
  });

  it('drops parked attempts whose deadline passed: the relay offers them again', async () => {
    const { scheduler, offer, ids } = harness();
    await offer('busy');
    // Due now, so parked for 8 s: the relay interval less the request timeout and a second to
    // record. The clock jumps without the lease sweep running, as when renewals fail.
    await offer('expires', A, new Date(Date.now()));
    jest.setSystemTime(Date.now() + 5_000);
    await offer('fresh', A, new Date(Date.now()));
    jest.setSystemTime(Date.now() + 4_000);
    scheduler.release(A);
    expect(ids()).toEqual(['fresh']);
  });

  it('keeps parked attempts without a relay for as long as it takes', async () => {
    const { scheduler, offer, ids, leases } = harness({ relayIntervalMs: 0 });
    await offer('busy');
    await offer('patient', A, new Date(Date.now()));
    jest.setSystemTime(Date.now() + 24 * 3_600_000);
    scheduler.release(A);
    expect(ids()).toEqual(['patient']);
    expect(leases).toEqual([]);
  });

  it('leaves what does not fit to the relay, leasing it for a minute behind a troubled origin', async () => {
    const { scheduler, offer, leases, enqueued } = harness({ maxParkedPerOrigin: 1 });
    await offer('busy');
    await offer('parked', A, new Date(Date.now()));
    await offer('overflow', A, new Date(Date.now()));
    expect({ leases, enqueued }).toEqual({ leases: [], enqueued: [] });
    scheduler.requestEnded(A, 'timeout');
    await offer('next-busy');
    await offer('troubled-overflow', A, new Date(Date.now()));
    expect(leases).toEqual([
      { id: 'next-busy', forMs: TROUBLE_LEASE_MS },
      { id: 'troubled-overflow', forMs: TROUBLE_LEASE_MS },
    ]);
    expect(enqueued).toEqual([]);
  });

  it('hands what does not fit back to the queue when there is no relay', async () => {
    const { offer, enqueued } = harness({ maxParkedPerOrigin: 1, relayIntervalMs: 0 });
    await offer('busy');
    await offer('parked');
    await offer('overflow');
    expect(enqueued).toEqual([{ id: 'overflow', delayMs: 1_000, origin: A }]);
  });

  it('queues a resumed attempt again when it fails, a second later', async () => {
    const { scheduler, offer, resumed, enqueued, warnings } = harness();
    await offer('busy');
    await offer('doomed');
    scheduler.release(A);
    resumed[0].finish(new Error('database down'));
    await jest.advanceTimersByTimeAsync(0);
    expect(enqueued).toEqual([{ id: 'doomed', delayMs: 1_000, origin: A }]);
    expect(warnings[0]).toContain('database down');
  });

  it('puts an attempt that lost its slot back at the head, bounds or not', async () => {
    const { scheduler, offer, ids } = harness({ maxParkedPerOrigin: 1 });
    await offer('busy');
    await offer('second');
    await scheduler.park({ ...attempt('first'), deadline: Date.now() + 60_000 }, A);
    scheduler.requestEnded(A, null);
    expect(ids()).toEqual(['first', 'second']);
  });

  it('reuses a row loaded before parking for a second only', () => {
    const { scheduler } = harness();
    const loaded = { row: 'row', at: Date.now() };
    jest.setSystemTime(Date.now() + 1_000);
    expect(scheduler.freshRow(attempt('x', loaded))).toBe(loaded);
    jest.setSystemTime(Date.now() + 1);
    expect(scheduler.freshRow(attempt('x', loaded))).toBeUndefined();
    expect(scheduler.freshRow(attempt('x'))).toBeUndefined();
  });

  it('on close, waits for resumed attempts and makes parked ones due for the relay', async () => {
    const { scheduler, offer, resumed, setDue, ids } = harness();
    await offer('busy');
    await offer('running-parked');
    await offer('still-parked');
    scheduler.release(A);
    let closed = false;
    const closing = scheduler.close().then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    resumed[0].finish();
    await closing;
    expect(setDue).toEqual([['still-parked']]);
    // Closing: nothing parks or resumes any more; an attempt put back is made due instead.
    scheduler.release(A);
    expect(ids()).toEqual(['running-parked']);
    await scheduler.park({ ...attempt('late'), deadline: Date.now() + 60_000 }, A);
    await scheduler.park(attempt('new'), A);
    expect(setDue).toEqual([['still-parked'], ['late']]);
  });

  it('knows a URL by its origin', () => {
    expect(originOf('https://hooks.example.com:8443/a?b=c')).toBe('https://hooks.example.com:8443');
    expect(originOf('not a url')).toBe('not a url');
  });
});
