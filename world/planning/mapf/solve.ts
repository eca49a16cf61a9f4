/**
 * `solveMapf`: the entry point for the CLI, the benchmark and (later) the
 * simulation's lifelong planner. Cells are grid indices (`y * width + x`);
 * a path lists one cell per timestep from the start to the final arrival at
 * the goal (waits repeat a cell, trailing waits at the goal are dropped).
 *
 * Phases: LaCAM finds a first solution; LaCAM* refines it for a share of the
 * time left (it can prove small instances optimal); LNS refinement lowers the
 * sum of costs for the rest of the time (the LaCAM3 recipe).
 */
import { RandomStream } from '../../../sim/random/stream.js';
import type { Grid } from '../grid.js';
import { Deadline } from './deadline.js';
import { distanceTables, SearchGraph, sumOfDistances } from './graph.js';
import { Lacam, type LacamOutcome } from './lacam.js';
import { LnsRefiner } from './lns.js';

/** Share of the time left after the first solution given to LaCAM*'s own refinement (the rest goes to LNS). */
const LACAM_STAR_SHARE = 0.05;

export interface SolveOptions {
  /** Wall-clock budget. */
  timeLimitSeconds: number;
  /**
   * Keep improving the sum of costs until the time limit (LaCAM*, then LNS). Default true.
   * With false the first solution is returned (plain LaCAM): the result then
   * depends only on the inputs and the seed, never on machine speed.
   */
  refine?: boolean;
  /** Machine-independent budget of LaCAM* high-level iterations (for reproducible refinement). */
  maxIterations?: number;
  /** Machine-independent budget of LNS neighbourhoods (for reproducible refinement). */
  maxLnsSteps?: number;
  /** Tie-breaking seed. Default 0. */
  seed?: number;
  /** PIBT swap emulation (LaCAM2/3). Default true. */
  swap?: boolean;
  /** Cap on the search's node memory. Default 1.5 GB. */
  memoryLimitBytes?: number;
}

export interface MapfSolution {
  solved: boolean;
  /** Per agent, cell indices per timestep; empty when not solved. */
  paths: number[][];
  /** Σ per-agent last arrival time; null when not solved. */
  sumOfCosts: number | null;
  /** Longest path length − 1; null when not solved. */
  makespan: number | null;
  /** Σ single-agent BFS distances: a lower bound on the sum of costs (-1 if a goal is unreachable). */
  lowerBound: number;
  /** Proven optimal: the sum of costs meets the lower bound. */
  optimal: boolean;
  runtimeSeconds: number;
  firstSolutionSeconds: number | null;
  iterations: number;
  nodes: number;
  /** LNS neighbourhoods tried, and how many lowered the sum of costs. */
  lnsSteps: number;
  lnsImprovements: number;
  /** Why the last phase stopped. */
  stoppedBy: LacamOutcome['stoppedBy'] | 'unreachable';
}

function checkCells(grid: Grid, cells: readonly number[], what: string): void {
  const seen = new Set<number>();
  for (const c of cells) {
    if (!Number.isInteger(c) || !grid.freeIndex(c)) throw new RangeError(`${what} ${c} is not a free cell of the grid`);
    if (seen.has(c)) throw new RangeError(`two agents share the ${what} ${c}`);
    seen.add(c);
  }
}

/** Drops the trailing waits at the goal so a path ends at the agent's final arrival. */
function trim(path: number[], goal: number): number[] {
  let end = path.length;
  while (end > 1 && path[end - 1] === goal && path[end - 2] === goal) end--;
  return path.slice(0, end);
}

/** Plans collision-free paths for all agents (LaCAM, LaCAM*, then LNS; see the header). Throws RangeError on malformed input. */
export function solveMapf(grid: Grid, starts: readonly number[], goals: readonly number[], options: SolveOptions): MapfSolution {
  const deadline = new Deadline(options.timeLimitSeconds);
  if (starts.length !== goals.length) throw new RangeError(`${starts.length} starts but ${goals.length} goals`);
  checkCells(grid, starts, 'start');
  checkCells(grid, goals, 'goal');
  const dist = distanceTables(grid, goals);
  const lowerBound = sumOfDistances(dist, starts);
  const base = { lowerBound, firstSolutionSeconds: null, iterations: 0, nodes: 0, lnsSteps: 0, lnsImprovements: 0 };
  if (lowerBound < 0) {
    return { ...base, solved: false, paths: [], sumOfCosts: null, makespan: null, optimal: false, runtimeSeconds: deadline.elapsedSeconds(), stoppedBy: 'unreachable' };
  }
  const graph = new SearchGraph(grid);
  const refine = options.refine ?? true;
  const seed = options.seed ?? 0;
  const outcome = new Lacam(graph, starts, goals, dist, {
    deadline,
    refine,
    refineShare: LACAM_STAR_SHARE,
    maxIterations: options.maxIterations ?? Number.POSITIVE_INFINITY,
    swap: options.swap ?? true,
    seed,
    memoryLimitBytes: options.memoryLimitBytes ?? 1.5e9,
  }).run();
  const stats = { ...base, firstSolutionSeconds: outcome.firstSolutionSeconds, iterations: outcome.iterations, nodes: outcome.nodes };
  if (!outcome.configs) {
    return { ...stats, solved: false, paths: [], sumOfCosts: null, makespan: null, optimal: false, runtimeSeconds: deadline.elapsedSeconds(), stoppedBy: outcome.stoppedBy };
  }
  const configs = outcome.configs;
  let paths = starts.map((_, i) => trim(configs.map((c) => c[i]), goals[i]));
  let sumOfCosts = paths.reduce((s, p) => s + p.length - 1, 0);
  let stoppedBy: MapfSolution['stoppedBy'] = outcome.stoppedBy;
  // LaCAM*'s exhausted search is optimal for sum of loss: LNS would rarely gain, so stop there.
  if (refine && sumOfCosts > lowerBound && outcome.stoppedBy !== 'exhausted') {
    const maxSteps = options.maxLnsSteps ?? Number.POSITIVE_INFINITY;
    const lns = new LnsRefiner(graph, starts, goals, dist, paths, { deadline, maxSteps, rng: new RandomStream('mapf/lns', seed), neighbourhood: 8 }).run(lowerBound);
    paths = lns.paths;
    sumOfCosts = lns.sumOfCosts;
    stats.lnsSteps = lns.steps;
    stats.lnsImprovements = lns.improvements;
    stoppedBy = sumOfCosts <= lowerBound ? 'optimal' : lns.steps >= maxSteps ? 'iterations' : 'deadline';
  }
  const makespan = paths.reduce((m, p) => Math.max(m, p.length - 1), 0);
  return {
    ...stats,
    solved: true,
    paths,
    sumOfCosts,
    makespan,
    optimal: sumOfCosts === lowerBound,
    runtimeSeconds: deadline.elapsedSeconds(),
    stoppedBy,
  };
}
