import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../sim/random/stream.js';
import { Grid } from '../grid.js';
import { Deadline } from './deadline.js';
import { distanceTables, SearchGraph } from './graph.js';
import { LnsRefiner } from './lns.js';
import { Reservations } from './reservations.js';
import { SpaceTimeAStar } from './space-time-astar.js';
import { validatePaths, type XY } from './validate.js';

// A 5 × 1 corridor: cells 0…4.
const corridor = () => new SearchGraph(new Grid(5, 1));

describe('space-time A* against reserved paths', () => {
  it('plans a shortest path when nobody is in the way', () => {
    const g = corridor();
    const table = new Reservations(g.size, 10);
    const [d] = distanceTables(g.grid, [4]);
    expect(new SpaceTimeAStar(g, 10).plan(0, 4, d, table, 99, 1000)).toEqual([0, 1, 2, 3, 4]);
  });

  it('waits for an agent crossing its way and never swaps with it', () => {
    const g = new SearchGraph(new Grid(3, 2)); // 0 1 2 / 3 4 5
    const table = new Reservations(g.size, 10);
    table.add(7, [1, 0, 3]); // moves left into 0 at t = 1, down to 3 at t = 2
    const [d] = distanceTables(g.grid, [1]);
    const p = new SpaceTimeAStar(g, 10).plan(0, 1, d, table, 99, 1000)!;
    // Moving 0 → 1 at t = 1 would swap with agent 7; the agent must step aside or wait for it.
    expect(p[0]).toBe(0);
    expect(p.at(-1)).toBe(1);
    expect(p[1]).not.toBe(1);
  });

  it('arrives only after the last visit of another agent to its goal, never where one rests', () => {
    const g = new SearchGraph(new Grid(3, 2)); // 0 1 2 / 3 4 5
    const table = new Reservations(g.size, 10);
    table.add(7, [2, 1, 0, 3]); // through cell 1 at t = 1, then rests at 3
    expect(table.lastVisit(1)).toBe(1);
    expect(table.lastVisit(3)).toBe(Number.POSITIVE_INFINITY);
    const astar = new SpaceTimeAStar(g, 10);
    expect(astar.plan(4, 1, distanceTables(g.grid, [1])[0], table, 99, 1000)).toEqual([4, 4, 1]);
    expect(astar.plan(4, 3, distanceTables(g.grid, [3])[0], table, 99, 1000)).toBeNull();
  });

  it('respects the cost bound and the expansion budget', () => {
    const g = corridor();
    const table = new Reservations(g.size, 10);
    const [d] = distanceTables(g.grid, [4]);
    expect(new SpaceTimeAStar(g, 10).plan(0, 4, d, table, 3, 1000)).toBeNull();
    expect(new SpaceTimeAStar(g, 10).plan(0, 4, d, table, 99, 2)).toBeNull();
  });
});

describe('LNS refinement', () => {
  it('removes needless waits from a valid solution and keeps it valid', () => {
    const grid = new Grid(6, 6);
    // Three agents crossing the grid on rows 0, 2 and 4: they never meet.
    const starts = [0, 12, 24];
    const goals = [5, 17, 29];
    // Valid but wasteful: each waits 10, 13 and 16 steps at its start first.
    const initial = starts.map((s, i) => [...Array(10 + 3 * i).fill(s), s + 1, s + 2, s + 3, s + 4, s + 5]);
    const xy = (c: number): XY => [c % 6, Math.floor(c / 6)];
    const check = (paths: number[][]) => validatePaths(grid, starts.map(xy), goals.map(xy), paths.map((p) => p.map(xy)));
    expect(check(initial)).toEqual([]);
    const g = new SearchGraph(grid);
    const dist = distanceTables(grid, goals);
    const lowerBound = 15;
    const out = new LnsRefiner(g, starts, goals, dist, initial, {
      deadline: new Deadline(5),
      maxSteps: 200,
      rng: new RandomStream('test', 1),
      neighbourhood: 8,
    }).run(lowerBound);
    expect(check(out.paths)).toEqual([]);
    expect(out.sumOfCosts).toBe(lowerBound);
    expect(out.improvements).toBeGreaterThan(0);
  });
});
