import { describe, expect, it } from 'vitest';
import { fifo, find, push, replace, shift, size, toArray } from './fifo.js';

describe('persistent fifo', () => {
  it('pushes and shifts in order', () => {
    let q = fifo<number>();
    for (let i = 0; i < 5; i++) q = push(q, i);
    const [first, rest] = shift(q);
    expect(first).toBe(0);
    expect(toArray(rest)).toEqual([1, 2, 3, 4]);
    expect(size(rest)).toBe(4);
    expect(shift(fifo<number>())[0]).toBeUndefined();
  });

  it('keeps every older version intact when two versions branch from one', () => {
    const base = push(push(fifo<string>(), 'a'), 'b');
    const left = push(base, 'left');
    const right = push(base, 'right');
    expect(toArray(base)).toEqual(['a', 'b']);
    expect(toArray(left)).toEqual(['a', 'b', 'left']);
    expect(toArray(right)).toEqual(['a', 'b', 'right']);
    const [, shifted] = shift(left);
    expect(toArray(push(shifted, 'x'))).toEqual(['b', 'left', 'x']);
    expect(toArray(left)).toEqual(['a', 'b', 'left']);
  });

  it('stays small over a long run and survives JSON', () => {
    let q = fifo<number>();
    for (let i = 0; i < 100000; i++) {
      q = push(q, i);
      if (i % 2 === 1) q = shift(shift(q)[1])[1];
    }
    expect(size(q)).toBe(0);
    expect(q.items.length).toBeLessThan(3000);
    const restored = JSON.parse(JSON.stringify(push(q, 7)));
    expect(toArray(restored)).toEqual([7]);
  });

  it('finds and replaces', () => {
    const q = fifo([1, 2, 3]);
    expect(find(q, (x) => x > 1)).toBe(2);
    expect(toArray(replace(q, (x) => x === 2, () => 20))).toEqual([1, 20, 3]);
    expect(toArray(q)).toEqual([1, 2, 3]);
  });
});
