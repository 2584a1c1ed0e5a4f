import type { AttemptSubscription } from '../storage/delivery.store';
import { tallyOutcomes, type HealthOutcome } from './endpoint-health-recorder';

const subscription = (id: string) => ({ id }) as AttemptSubscription;
const at = (ms: number) => new Date(1_700_000_000_000 + ms);
const outcome = (id: string, succeeded: boolean, ms: number): HealthOutcome => ({
  subscription: subscription(id),
  succeeded,
  at: at(ms),
});

describe('tallyOutcomes', () => {
  it('counts every failure of a subscription in the batch, from the first one', () => {
    const [tally] = tallyOutcomes([outcome('a', false, 1), outcome('a', false, 2)]);
    expect(tally).toMatchObject({ failures: 2, failingSince: at(1) });
    expect(tally.succeededAt).toBeUndefined();
  });

  it('lets a success wipe out the failures recorded before it', () => {
    const [tally] = tallyOutcomes([outcome('a', false, 1), outcome('a', true, 2)]);
    expect(tally).toMatchObject({ failures: 0, succeededAt: at(2), failingSince: undefined });
  });

  it('counts failures after a success from zero, keeping the success', () => {
    const [tally] = tallyOutcomes([
      outcome('a', false, 1),
      outcome('a', true, 2),
      outcome('a', false, 3),
      outcome('a', false, 4),
    ]);
    expect(tally).toMatchObject({ failures: 2, succeededAt: at(2), failingSince: at(3) });
  });

  it('keeps subscriptions apart', () => {
    const tallies = tallyOutcomes([
      outcome('a', false, 1),
      outcome('b', true, 2),
      outcome('a', false, 3),
    ]);
    expect(tallies.map(({ subscription: { id }, failures }) => ({ id, failures }))).toEqual([
      { id: 'a', failures: 2 },
      { id: 'b', failures: 0 },
    ]);
  });
});
