import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Grid } from '../grid.js';
import { buildInstance } from './instance.js';
import { parseMap, parseScenario } from './movingai.js';
import { solveMapf, type MapfSolution } from './solve.js';
import { validatePaths, type XY } from './validate.js';

const data = fileURLToPath(new URL('../../../../shared/data/mapf/', import.meta.url));

function benchmark(name: string, scen: number, agents: number) {
  const map = parseMap(readFileSync(`${data}${name}.map`, 'utf8'), name);
  const scenario = parseScenario(readFileSync(`${data}${name}-random-${scen}.scen`, 'utf8'), name);
  return buildInstance(map, name, scenario, name, agents);
}

/** Validates with the independent checker and returns the solution. */
function expectValid(grid: Grid, starts: number[], goals: number[], s: MapfSolution): MapfSolution {
  expect(s.solved).toBe(true);
  const xy = (c: number): XY => [c % grid.width, Math.floor(c / grid.width)];
  expect(validatePaths(grid, starts.map(xy), goals.map(xy), s.paths.map((p) => p.map(xy)))).toEqual([]);
  expect(s.sumOfCosts).toBeGreaterThanOrEqual(s.lowerBound);
  return s;
}

/** Grid from rows of '.' and '@'. */
function gridOf(...rows: string[]): Grid {
  const g = new Grid(rows[0].length, rows.length);
  rows.forEach((r, y) => [...r].forEach((c, x) => c === '@' && g.block(x, y)));
  return g;
}

describe('solveMapf (LaCAM*)', () => {
  it('solves trivial instances: no agents, agents already at their goals', () => {
    const g = gridOf('...');
    expect(solveMapf(g, [], [], { timeLimitSeconds: 1 })).toMatchObject({ solved: true, paths: [], sumOfCosts: 0, makespan: 0 });
    expect(solveMapf(g, [0, 2], [0, 2], { timeLimitSeconds: 1 })).toMatchObject({ solved: true, paths: [[0], [2]], sumOfCosts: 0, optimal: true });
  });

  it('lets two agents pass each other in a corridor through a side pocket', () => {
    // . . . . .
    // @ @ . @ @
    const g = gridOf('.....', '@@.@@');
    const starts = [0, 4];
    const goals = [4, 0];
    for (const swap of [true, false]) {
      const s = expectValid(g, starts, goals, solveMapf(g, starts, goals, { timeLimitSeconds: 5, refine: false, swap }));
      expect(s.makespan).toBeGreaterThanOrEqual(5);
    }
    // With refinement the search exhausts the space: the optimum is 11 = 8 + a 2-step detour
    // into the pocket + 1 wait of the other agent while the first one gets there.
    const best = expectValid(g, starts, goals, solveMapf(g, starts, goals, { timeLimitSeconds: 5 }));
    expect(best).toMatchObject({ sumOfCosts: 11, stoppedBy: 'exhausted' });
  });

  it('reports an instance with no solution as unsolved: two agents swapping in a dead-end corridor', () => {
    const g = gridOf('...');
    const s = solveMapf(g, [0, 2], [2, 0], { timeLimitSeconds: 2 });
    expect(s).toMatchObject({ solved: false, paths: [], sumOfCosts: null, stoppedBy: 'exhausted' });
  });

  it('reports an unreachable goal without searching, and an expired deadline as unsolved', () => {
    const g = gridOf('.@.');
    expect(solveMapf(g, [0], [2], { timeLimitSeconds: 1 })).toMatchObject({ solved: false, stoppedBy: 'unreachable', lowerBound: -1 });
    expect(solveMapf(gridOf('...'), [0], [2], { timeLimitSeconds: 0 })).toMatchObject({ solved: false, stoppedBy: 'deadline' });
  });

  it('rejects malformed input (programming errors) with a RangeError', () => {
    const g = gridOf('.@.');
    expect(() => solveMapf(g, [1], [2], { timeLimitSeconds: 1 })).toThrow(RangeError);
    expect(() => solveMapf(g, [0, 0], [2, 2], { timeLimitSeconds: 1 })).toThrow(/share the start/);
    expect(() => solveMapf(g, [0], [], { timeLimitSeconds: 1 })).toThrow(/1 starts but 0 goals/);
  });

  it('solves random-32-32-10 with 50 agents (both scenarios) in well under the limit', () => {
    for (const scen of [1, 2]) {
      const { grid, starts, goals } = benchmark('random-32-32-10', scen, 50);
      const s = expectValid(grid, starts, goals, solveMapf(grid, starts, goals, { timeLimitSeconds: 10, refine: false }));
      expect(s.firstSolutionSeconds!).toBeLessThan(5);
    }
  });

  it('solves warehouse-10-20-10-2-1 with 100 agents', () => {
    const { grid, starts, goals } = benchmark('warehouse-10-20-10-2-1', 1, 100);
    const s = expectValid(grid, starts, goals, solveMapf(grid, starts, goals, { timeLimitSeconds: 10, refine: false }));
    expect(s.firstSolutionSeconds!).toBeLessThan(5);
  });

  it('is deterministic: same input and seed → same paths (first solution, and refinement under iteration budgets)', () => {
    const { grid, starts, goals } = benchmark('room-32-32-4', 1, 60);
    const first = () => solveMapf(grid, starts, goals, { timeLimitSeconds: 60, refine: false, seed: 3 });
    const f = expectValid(grid, starts, goals, first());
    expect(first().paths).toEqual(f.paths);
    const refined = () => solveMapf(grid, starts, goals, { timeLimitSeconds: 60, maxIterations: 500, maxLnsSteps: 300, seed: 3 });
    const a = expectValid(grid, starts, goals, refined());
    expect(a.stoppedBy === 'iterations' || a.optimal).toBe(true);
    expect(refined().paths).toEqual(a.paths);
    expect(a.lnsImprovements).toBeGreaterThan(0);
    expect(a.sumOfCosts!).toBeLessThan(f.sumOfCosts!);
    // Another seed breaks ties differently.
    expect(solveMapf(grid, starts, goals, { timeLimitSeconds: 60, refine: false, seed: 4 }).paths).not.toEqual(f.paths);
  });

  it('refines within the time limit to a lower sum of costs (LaCAM*, then LNS)', () => {
    const { grid, starts, goals } = benchmark('random-32-32-10', 2, 100);
    const first = solveMapf(grid, starts, goals, { timeLimitSeconds: 10, refine: false });
    const refined = expectValid(grid, starts, goals, solveMapf(grid, starts, goals, { timeLimitSeconds: 1 }));
    expect(refined.runtimeSeconds).toBeLessThan(1.5);
    expect(refined.sumOfCosts!).toBeLessThan(first.sumOfCosts!);
  });
});
