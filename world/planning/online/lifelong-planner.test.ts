import { describe, expect, it } from 'vitest';
import { Floor } from '../../floor/floor.js';
import { LifelongPlanner } from './lifelong-planner.js';
import { cellAt, endStep, fromPath, splice } from './route.js';

const W = 8;
const at = (x: number, y: number) => y * W + x;

/** Cells of robot r at every step up to `until`. */
const timeline = (p: LifelongPlanner, r: number, until: number) => Array.from({ length: until + 1 }, (_, t) => p.cellAt(r, t));

describe('routes', () => {
  it('compress waits into two waypoints and splice a new future onto the kept past', () => {
    const r = fromPath(10, [1, 2, 2, 2, 3]);
    expect(r).toEqual({ cells: [1, 2, 2, 3], steps: [10, 11, 13, 14] });
    expect([9, 10, 11, 12, 13, 14, 99].map((t) => cellAt(r, t))).toEqual([1, 1, 2, 2, 2, 3, 3]);
    const s = splice(r, 12, fromPath(12, [2, 5]));
    expect(s).toEqual({ cells: [1, 2, 2, 5], steps: [10, 11, 12, 13] });
    expect(endStep(s)).toBe(13);
  });
});

describe('lifelong planner', () => {
  it('plans each request against earlier ones: no two robots in a cell within one step of each other', () => {
    const p = new LifelongPlanner(Floor.open(W, W));
    const ends = [
      [at(0, 3), at(7, 3)],
      [at(7, 4), at(0, 4)],
      [at(3, 0), at(3, 7)],
      [at(4, 7), at(4, 0)],
    ];
    ends.forEach(([a], r) => p.add(r, a, 0));
    ends.forEach(([, b], r) => expect(p.plan(r, b, 0)).toBe(true));
    const until = Math.max(...ends.map((_, r) => endStep(p.route(r))));
    const lines = ends.map((_, r) => timeline(p, r, until));
    for (let a = 0; a < lines.length; a++) {
      for (let b = a + 1; b < lines.length; b++) {
        for (let t = 0; t <= until; t++) {
          for (const dt of [-1, 0, 1]) if (t + dt >= 0 && t + dt <= until) expect(lines[a][t]).not.toBe(lines[b][t + dt]);
        }
      }
    }
    for (let r = 0; r < ends.length; r++) expect(p.table.conflicts(r, 0)).toBe(0);
    expect(lines.map((l) => l.at(-1))).toEqual(ends.map(([, b]) => b));
  });

  it('does not plan onto a goal another robot stays on; parks instead, at the nearest parking cell it can keep', () => {
    const floor = new Floor(Floor.open(W, W).grid, 1, { x: 0, y: 0 }, new Map([['station', at(3, 3)]]), [at(0, 0), at(1, 0), at(6, 6)]);
    const p = new LifelongPlanner(floor);
    p.add(0, at(3, 3), 0); // handling at the station
    p.add(1, at(1, 0), 0);
    p.add(2, at(5, 5), 0);
    expect(p.plan(2, at(3, 3), 0)).toBe(false);
    expect(p.park(2, 0)).toBe(at(6, 6));
    expect(p.cellAt(2, 2)).toBe(at(6, 6));
    // Once robot 0 leaves the station, robot 2 gets it.
    expect(p.plan(0, at(7, 0), 10)).toBe(true);
    expect(p.plan(2, at(3, 3), 10)).toBe(true);
  });

  it('re-plans a robot from the step it has not begun, keeping the part under way', () => {
    const p = new LifelongPlanner(Floor.open(W, W));
    p.add(0, at(0, 0), 0);
    p.plan(0, at(7, 0), 0);
    expect(p.plan(0, at(3, 5), 4)).toBe(true);
    expect(timeline(p, 0, 4)).toEqual([0, 1, 2, 3, 4].map((x) => at(x, 0)));
    expect(p.cellAt(0, 4 + 1 + 5)).toBe(at(3, 5));
  });

  it('stops a robot for good and names the robots whose routes now cross its cell', () => {
    const p = new LifelongPlanner(Floor.open(W, W));
    p.add(0, at(0, 2), 0);
    p.add(1, at(2, 0), 0);
    p.plan(0, at(7, 2), 0);
    p.plan(1, at(2, 7), 0); // crosses row 2 at (2, 2) after robot 0 went by
    expect(p.stop(0, 2)).toEqual([1]);
    expect(p.plan(1, at(2, 7), 1)).toBe(true);
    expect(timeline(p, 1, 12)).not.toContain(at(2, 2));
  });
});
