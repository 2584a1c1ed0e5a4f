import { inboundAttemptEnd, wholeSecond } from './inbound-retry';

const NOW = new Date('2026-12-06T10:00:00.700Z');

describe('inboundAttemptEnd', () => {
  it('is processed when no handler threw', () => {
    expect(inboundAttemptEnd(null, 3, [1_000], NOW)).toEqual({ status: 'processed', at: NOW });
  });

  it('retries after the delay of the attempt, to the second, while the schedule lasts', () => {
    expect(inboundAttemptEnd('boom', 1, [5_000, 60_000], NOW)).toEqual({
      status: 'received',
      nextAttemptAt: new Date('2026-12-06T10:00:05.000Z'),
      error: 'boom',
    });
    expect(inboundAttemptEnd('boom', 2, [5_000, 60_000], NOW)).toMatchObject({
      nextAttemptAt: new Date('2026-12-06T10:01:00.000Z'),
    });
  });

  it('fails once the schedule has no delay left (an empty one: after the first attempt)', () => {
    expect(inboundAttemptEnd('boom', 3, [5_000, 60_000], NOW)).toEqual({
      status: 'failed',
      at: NOW,
      error: 'boom',
    });
    expect(inboundAttemptEnd('boom', 1, [], NOW).status).toBe('failed');
  });

  it('keeps times to the whole second', () => {
    expect(wholeSecond(NOW)).toEqual(new Date('2026-12-06T10:00:00.000Z'));
  });
});
