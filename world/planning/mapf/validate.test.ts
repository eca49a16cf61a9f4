import { describe, expect, it } from 'vitest';
import { Grid } from '../grid.js';
import { makespan, pathCost, sumOfCosts, validatePaths, type XY } from './validate.js';

// 4 × 3, one obstacle at (1, 1).
function grid(): Grid {
  const g = new Grid(4, 3);
  g.block(1, 1);
  return g;
}

const kinds = (v: { kind: string }[]) => v.map((x) => x.kind);

describe('validatePaths', () => {
  it('accepts a valid solution where an early agent waits at its goal', () => {
    const starts: XY[] = [[0, 0], [3, 0]];
    const goals: XY[] = [[2, 0], [3, 2]];
    const paths: XY[][] = [
      [[0, 0], [1, 0], [2, 0]],
      [[3, 0], [3, 1], [3, 2]],
    ];
    expect(validatePaths(grid(), starts, goals, paths)).toEqual([]);
  });

  it('finds wrong start, wrong goal, empty path and a bad agent count', () => {
    const v = validatePaths(grid(), [[0, 0], [3, 0]], [[2, 0], [3, 2]], [[[0, 1], [0, 0]], []]);
    expect(kinds(v)).toEqual(['wrong-start', 'wrong-goal', 'empty-path']);
    expect(v[0].message).toMatch(/agent 0 starts at \(0, 1\), not at its start \(0, 0\)/);
    expect(kinds(validatePaths(grid(), [[0, 0]], [[2, 0]], []))).toEqual(['agent-count']);
  });

  it('finds obstacles, cells outside the grid and non-adjacent moves', () => {
    const v = validatePaths(grid(), [[0, 1]], [[3, 1]], [[[0, 1], [1, 1], [2, 1], [2, 3], [3, 1]]]);
    expect(kinds(v)).toEqual(['obstacle', 'outside-grid', 'non-adjacent', 'non-adjacent']);
    expect(v[0]).toMatchObject({ agent: 0, time: 1, cell: [1, 1] });
    expect(kinds(validatePaths(grid(), [[0, 0]], [[2, 0]], [[[0, 0], [0.5, 0], [2, 0]]]))).toContain('outside-grid');
  });

  it('finds a vertex conflict, including against an agent resting at its goal', () => {
    const meet = validatePaths(grid(), [[0, 0], [2, 0]], [[1, 0], [3, 0]], [
      [[0, 0], [1, 0]],
      [[2, 0], [1, 0], [2, 0], [3, 0]],
    ]);
    expect(meet.filter((x) => x.kind === 'vertex-conflict')).toEqual([
      expect.objectContaining({ agent: 1, other: 0, time: 1, cell: [1, 0] }),
    ]);
    // Agent 0 arrived at (1, 0) at t = 1 and stays; agent 1 passes through at t = 3.
    const late = validatePaths(grid(), [[0, 0], [3, 0]], [[1, 0], [0, 0]], [
      [[0, 0], [1, 0]],
      [[3, 0], [3, 0], [2, 0], [1, 0], [0, 0]],
    ]);
    expect(late.filter((x) => x.kind === 'vertex-conflict')).toEqual([expect.objectContaining({ agent: 1, other: 0, time: 3 })]);
  });

  it('finds a swap (edge) conflict once', () => {
    const v = validatePaths(grid(), [[0, 0], [1, 0]], [[1, 0], [0, 0]], [
      [[0, 0], [1, 0]],
      [[1, 0], [0, 0]],
    ]);
    expect(v).toEqual([expect.objectContaining({ kind: 'swap-conflict', agent: 0, other: 1, time: 1 })]);
  });

  it('allows following: moving into a cell its occupant leaves in the same step', () => {
    const v = validatePaths(grid(), [[0, 0], [1, 0]], [[1, 0], [2, 0]], [
      [[0, 0], [1, 0]],
      [[1, 0], [2, 0]],
    ]);
    expect(v).toEqual([]);
  });
});

describe('costs', () => {
  it('count each agent until its last arrival at the goal, and makespan as the longest path − 1', () => {
    const goals: XY[] = [[2, 0], [0, 0]];
    const paths: XY[][] = [
      [[0, 0], [1, 0], [2, 0], [2, 0]],
      [[0, 0], [1, 0], [0, 0]],
    ];
    expect(pathCost(paths[0], goals[0])).toBe(2);
    expect(pathCost(paths[1], goals[1])).toBe(2);
    expect(pathCost([[0, 0]], [0, 0])).toBe(0);
    expect(sumOfCosts(paths, goals)).toBe(4);
    expect(makespan(paths)).toBe(3);
  });
});
