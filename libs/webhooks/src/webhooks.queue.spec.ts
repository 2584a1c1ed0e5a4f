import { RetrySoonError, deliveryBackoff } from './webhooks.queue';

const named = (name: string) => Object.assign(new Error(name), { name });

describe('deliveryBackoff', () => {
  it('brings a job that hit a passing race back within 4 s, however often it did', () => {
    for (let attemptsMade = 0; attemptsMade < 50; attemptsMade++) {
      expect(deliveryBackoff(attemptsMade, new RetrySoonError('race'))).toBeLessThanOrEqual(4_000);
    }
  });

  it('backs off infrastructure errors exponentially up to 30 s', () => {
    expect(deliveryBackoff(0, named('QueryFailedError'))).toBeLessThanOrEqual(1_000);
    const late = deliveryBackoff(20, named('QueryFailedError'));
    expect(late).toBeGreaterThanOrEqual(15_000);
    expect(late).toBeLessThanOrEqual(30_000);
  });

  it('goes by the class, not the name: another error called RetrySoonError backs off as usual', () => {
    const late = deliveryBackoff(20, named('RetrySoonError'));
    expect(late).toBeGreaterThanOrEqual(15_000);
  });
});
