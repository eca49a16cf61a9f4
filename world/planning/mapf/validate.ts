/**
 * An independent check of a MAPF solution, written without the solver's data
 * structures so a solver bug cannot hide in both. Conventions (Stern et al.
 * 2019): a path holds one [x, y] cell per timestep from the start to the goal;
 * each step moves to a 4-neighbour or waits. An agent whose path is shorter
 * than the longest one stays at its last cell (its goal) afterwards, and is
 * checked for conflicts there. Forbidden: two agents in one cell at the same
 * time (vertex conflict) and two agents trading cells in one step (swap).
 */
import type { Grid } from '../grid.js';

export type XY = readonly [number, number];

export type ViolationKind =
  | 'agent-count'
  | 'empty-path'
  | 'wrong-start'
  | 'wrong-goal'
  | 'outside-grid'
  | 'obstacle'
  | 'non-adjacent'
  | 'vertex-conflict'
  | 'swap-conflict';

export interface Violation {
  kind: ViolationKind;
  agent: number;
  /** The other agent of a conflict. */
  other?: number;
  time?: number;
  cell?: XY;
  message: string;
}

const same = (a: XY, b: XY) => a[0] === b[0] && a[1] === b[1];
const show = (c: XY) => `(${c[0]}, ${c[1]})`;

/** All violations of `paths` (empty when the solution is valid). */
export function validatePaths(grid: Grid, starts: readonly XY[], goals: readonly XY[], paths: readonly (readonly XY[])[]): Violation[] {
  const out: Violation[] = [];
  if (starts.length !== goals.length || paths.length !== starts.length) {
    out.push({ kind: 'agent-count', agent: -1, message: `${starts.length} starts, ${goals.length} goals and ${paths.length} paths` });
    return out;
  }
  const n = paths.length;
  /** Cell index where [x, y] is a grid cell, else -1 (then it is not checked for conflicts). */
  const inGrid = (c: XY) => (Number.isInteger(c[0]) && Number.isInteger(c[1]) && grid.inside(c[0], c[1]) ? grid.index(c[0], c[1]) : -1);
  let horizon = 0;
  for (let i = 0; i < n; i++) {
    const p = paths[i];
    if (p.length === 0) {
      out.push({ kind: 'empty-path', agent: i, message: `agent ${i} has an empty path` });
      continue;
    }
    horizon = Math.max(horizon, p.length - 1);
    if (!same(p[0], starts[i])) out.push({ kind: 'wrong-start', agent: i, time: 0, cell: p[0], message: `agent ${i} starts at ${show(p[0])}, not at its start ${show(starts[i])}` });
    const last = p[p.length - 1];
    if (!same(last, goals[i])) out.push({ kind: 'wrong-goal', agent: i, time: p.length - 1, cell: last, message: `agent ${i} ends at ${show(last)}, not at its goal ${show(goals[i])}` });
    for (let t = 0; t < p.length; t++) {
      const c = p[t];
      if (inGrid(c) < 0) out.push({ kind: 'outside-grid', agent: i, time: t, cell: c, message: `agent ${i} is outside the grid at ${show(c)}, t = ${t}` });
      else if (!grid.free(c[0], c[1])) out.push({ kind: 'obstacle', agent: i, time: t, cell: c, message: `agent ${i} is on an obstacle at ${show(c)}, t = ${t}` });
      if (t > 0 && Math.abs(c[0] - p[t - 1][0]) + Math.abs(c[1] - p[t - 1][1]) > 1) {
        out.push({ kind: 'non-adjacent', agent: i, time: t, cell: c, message: `agent ${i} jumps from ${show(p[t - 1])} to ${show(c)} at t = ${t}` });
      }
    }
  }
  const at = (i: number, t: number): XY => paths[i][Math.min(t, paths[i].length - 1)];
  // Occupancy of the current timestep, stamped with t + 1 so the table is never cleared.
  const owner = new Int32Array(grid.size);
  const stamp = new Int32Array(grid.size);
  for (let t = 0; t <= horizon; t++) {
    for (let i = 0; i < n; i++) {
      if (paths[i].length === 0) continue;
      const c = at(i, t);
      const k = inGrid(c);
      if (k < 0) continue;
      if (stamp[k] === t + 1) {
        out.push({ kind: 'vertex-conflict', agent: i, other: owner[k], time: t, cell: c, message: `agents ${owner[k]} and ${i} are both at ${show(c)} at t = ${t}` });
      } else {
        stamp[k] = t + 1;
        owner[k] = i;
      }
    }
    if (t === 0) continue;
    // Swap: i moves a → b while the agent now at a came from b.
    for (let i = 0; i < n; i++) {
      if (paths[i].length === 0) continue;
      const a = at(i, t - 1);
      const b = at(i, t);
      const ka = inGrid(a);
      if (ka < 0 || same(a, b) || stamp[ka] !== t + 1) continue;
      const j = owner[ka];
      if (j > i && same(at(j, t - 1), b)) {
        out.push({ kind: 'swap-conflict', agent: i, other: j, time: t, cell: b, message: `agents ${i} and ${j} swap ${show(a)} ↔ ${show(b)} between t = ${t - 1} and t = ${t}` });
      }
    }
  }
  return out;
}

/**
 * Cost of one path: the timestep at which the agent reaches its goal for the
 * last time and stays there (trailing waits at the goal are free).
 */
export function pathCost(path: readonly XY[], goal: XY): number {
  let t = path.length - 1;
  while (t > 0 && same(path[t], goal) && same(path[t - 1], goal)) t--;
  return t;
}

/** Sum of costs: Σ over agents of the last arrival time at the goal. */
export function sumOfCosts(paths: readonly (readonly XY[])[], goals: readonly XY[]): number {
  return paths.reduce((s, p, i) => s + pathCost(p, goals[i]), 0);
}

/** Makespan: the longest path's length − 1 (paths end at the final arrival, so this is the last arrival time). */
export function makespan(paths: readonly (readonly XY[])[]): number {
  return paths.reduce((m, p) => Math.max(m, p.length - 1), 0);
}
