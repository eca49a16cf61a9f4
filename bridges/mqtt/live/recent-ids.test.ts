import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds (dropping second copies of QoS 1 messages)', () => {
  it('takes an id once, and forgets the oldest beyond its capacity', () => {
    const ids = new RecentIds(3);
    expect(['a', 'b', 'a', 'c', 'b'].map((id) => ids.first(id))).toEqual([true, true, false, true, false]);
    expect(ids.first('d')).toBe(true); // a, the oldest, is forgotten
    expect(ids.first('a')).toBe(true);
    expect(ids.first('d')).toBe(false);
    ids.clear();
    expect(ids.first('d')).toBe(true);
  });
});
