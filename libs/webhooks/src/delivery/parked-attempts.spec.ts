import { ParkedAttempts, type ParkedAttempt } from './parked-attempts';

const parked = (deliveryId: string, deadline = 10_000): ParkedAttempt => ({
  deliveryId,
  attempt: 1,
  trigger: 'scheduled',
  deadline,
});

describe('ParkedAttempts', () => {
  let now = 0;
  const store = (perOrigin = 3, total = 5) => new ParkedAttempts(perOrigin, total, () => now);
  beforeEach(() => (now = 0));

  it('serves each origin first come, first served, apart from the others', () => {
    const attempts = store();
    attempts.add('http://a', parked('a1'));
    attempts.add('http://b', parked('b1'));
    attempts.add('http://a', parked('a2'));
    expect(attempts.take('http://a')?.deliveryId).toBe('a1');
    expect(attempts.take('http://a')?.deliveryId).toBe('a2');
    expect(attempts.take('http://a')).toBeUndefined();
    expect(attempts.has('http://a')).toBe(false);
    expect(attempts.has('http://b')).toBe(true);
    expect(attempts.size).toBe(1);
  });

  it('refuses attempts beyond its bounds, per origin and in all', () => {
    const attempts = store(2, 3);
    expect(attempts.add('http://a', parked('a1'))).toBe(true);
    expect(attempts.add('http://a', parked('a2'))).toBe(true);
    expect(attempts.add('http://a', parked('a3'))).toBe(false);
    expect(attempts.add('http://b', parked('b1'))).toBe(true);
    expect(attempts.add('http://c', parked('c1'))).toBe(false);
    expect(attempts.size).toBe(3);
    expect([...attempts.values()].map((attempt) => attempt.deliveryId).sort()).toEqual([
      'a1',
      'a2',
      'b1',
    ]);
  });

  it('keeps an attempt offered twice once', () => {
    const attempts = store();
    expect(attempts.add('http://a', parked('a1'))).toBe(true);
    expect(attempts.add('http://a', parked('a1'))).toBe(true);
    expect(attempts.size).toBe(1);
    attempts.take('http://a');
    expect(attempts.add('http://a', parked('a1'))).toBe(true);
    expect(attempts.size).toBe(1);
  });

  it('drops attempts whose deadline passed: the relay owns them by then', () => {
    const attempts = store();
    attempts.add('http://a', parked('early', 100));
    attempts.add('http://a', parked('late', 300));
    now = 200;
    expect(attempts.take('http://a')?.deliveryId).toBe('late');
    expect(attempts.size).toBe(0);
    now = 400;
    attempts.add('http://a', parked('gone', 300));
    expect(attempts.take('http://a')).toBeUndefined();
    expect(attempts.has('http://a')).toBe(false);
  });

  it('lists the attempts whose deadline is near, for their lease to be renewed', () => {
    const attempts = store();
    attempts.add('http://a', parked('expired', 50));
    attempts.add('http://a', parked('soon', 150));
    attempts.add('http://b', parked('later', 500));
    now = 100;
    expect(attempts.expiringBefore(200).map((attempt) => attempt.deliveryId)).toEqual(['soon']);
  });

  it('puts an attempt that lost a race back at the head, even when full', () => {
    const attempts = store(1, 1);
    attempts.add('http://a', parked('second'));
    attempts.putBack('http://a', parked('first'));
    expect(attempts.size).toBe(2);
    expect(attempts.takeAll().map((attempt) => attempt.deliveryId)).toEqual(['first', 'second']);
    expect(attempts.size).toBe(0);
  });
});
