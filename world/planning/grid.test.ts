import { describe, expect, it } from 'vitest';
import { Grid } from './grid.js';

describe('grid', () => {
  it('finds free 4-neighbours and BFS distances around obstacles', () => {
    const g = new Grid(4, 3);
    g.block(1, 0);
    g.block(1, 1);
    expect(g.neighbours(g.index(0, 0))).toEqual([g.index(0, 1)]);
    const d = g.distancesTo(g.index(2, 0));
    expect(d[g.index(0, 0)]).toBe(6);
    expect(d[g.index(1, 0)]).toBe(-1);
    expect(g.freeCount()).toBe(10);
  });
});
