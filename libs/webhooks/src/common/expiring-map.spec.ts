import { ExpiringMap } from './expiring-map';

describe('ExpiringMap', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000));

  it('keeps an entry for at least the retention, whenever it was set', () => {
    const map = new ExpiringMap<string, number>(100, now);
    clock += 99; // set just before the generation turns
    map.set('a', 1);
    clock += 1; // the generation turns: 'a' moves to the older one
    expect(map.get('a')).toBe(1);
    clock += 99;
    expect(map.has('a')).toBe(true);
    clock += 1;
    expect(map.has('a')).toBe(false);
    expect(map.size).toBe(0);
  });

  it('forgets everything once twice the retention has passed without a call', () => {
    const map = new ExpiringMap<string, number>(100, now);
    map.set('a', 1);
    clock += 200;
    expect(map.get('a')).toBeUndefined();
  });

  it('refreshes an entry that is set again, and deletes it from either generation', () => {
    const map = new ExpiringMap<string, number>(100, now);
    map.set('a', 1);
    map.set('b', 2);
    clock += 150;
    map.set('a', 3);
    map.delete('b');
    clock += 100;
    expect(map.get('a')).toBe(3);
    expect(map.has('b')).toBe(false);
    expect(map.size).toBe(1);
  });

  it('stays bounded by what was set within the last two retentions', () => {
    const map = new ExpiringMap<number, number>(100, now);
    for (let id = 0; id < 10_000; id++) {
      map.set(id, id);
      clock += 1;
    }
    expect(map.size).toBeLessThanOrEqual(200);
    expect(map.get(9_999)).toBe(9_999);
  });
});
