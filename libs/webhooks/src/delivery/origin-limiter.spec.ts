import { OriginLimiter } from './origin-limiter';

describe('OriginLimiter', () => {
  it('caps attempts in flight per origin, each origin apart', () => {
    const limiter = new OriginLimiter(2);
    limiter.reportHealthy('http://a');
    expect(limiter.tryAcquire('http://a')).toBe(true);
    expect(limiter.tryAcquire('http://a')).toBe(true);
    expect(limiter.tryAcquire('http://a')).toBe(false);
    expect(limiter.hasRoom('http://b')).toBe(true);
    limiter.release('http://a');
    expect(limiter.hasRoom('http://a')).toBe(true);
  });

  it('holds a troubled origin to one attempt until it answers again, however long that takes', () => {
    const limiter = new OriginLimiter(5);
    limiter.reportTrouble('http://hang');
    expect(limiter.isTroubled('http://hang')).toBe(true);
    expect(limiter.tryAcquire('http://hang')).toBe(true);
    expect(limiter.hasRoom('http://hang')).toBe(false);
    limiter.release('http://hang');
    limiter.reportHealthy('http://hang');
    expect(limiter.isTroubled('http://hang')).toBe(false);
    for (let slot = 0; slot < 5; slot++) expect(limiter.tryAcquire('http://hang')).toBe(true);
  });

  it('gives an origin not heard from one slot until its first answer', () => {
    const limiter = new OriginLimiter(5);
    expect(limiter.tryAcquire('http://new')).toBe(true);
    expect(limiter.hasRoom('http://new')).toBe(false);
    limiter.reportHealthy('http://new');
    for (let slot = 1; slot < 5; slot++) expect(limiter.tryAcquire('http://new')).toBe(true);
    expect(limiter.hasRoom('http://new')).toBe(false);
  });

  it('starts over with one slot for an origin silent for long', () => {
    let clock = 0;
    const limiter = new OriginLimiter(5, () => clock);
    limiter.reportHealthy('http://quiet');
    clock += 20 * 60_000 + 1;
    expect(limiter.tryAcquire('http://quiet')).toBe(true);
    expect(limiter.hasRoom('http://quiet')).toBe(false);
  });
});
