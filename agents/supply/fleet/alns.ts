/**
 * reoptimise: the fleet re-plan after an event (a new order, a delay, a
 * breakdown), by adaptive large neighbourhood search (Ropke & Pisinger
 * 2006) over the fleet's remaining plan.
 *
 * It starts from the current plan (start.ts: only what must move is moved)
 * and each iteration takes a few jobs off (random, worst or related
 * removal), puts them back (greedy or regret-2), and keeps the result by
 * simulated annealing; operators are drawn by adaptive weights. What is
 * under way is kept by construction: loaded jobs only go back into their
 * truck's trips[0], a truck out keeps its trip from `at`, broken trucks take
 * nothing. The best plan seen is returned, so never worse than the start.
 *
 * Deterministic: randomness comes from one seeded stream and the budget is
 * in iterations, so a problem, a seed and a number of iterations fix the
 * plan. `timeLimitMs` (wall clock) is for benchmarks; the product should
 * bound the search by iterations only.
 */
import { RandomStream } from '../../../sim/random/stream.js';
import { type DestroyKind, Destroyer } from './destroy.js';
import { planCost } from './evaluate.js';
import { repair, type RepairKind } from './repair.js';
import { startState } from './start.js';
import type { FleetState } from './state.js';
import type { FleetPlan, FleetProblem, Stop } from './types.js';
import { AdaptiveWeights, SCORE_ACCEPTED, SCORE_BEST, SCORE_BETTER, SEGMENT } from './weights.js';

export interface ReoptimiseOptions {
  seed: number;
  /** Destroy-and-repair iterations; 0 returns the starting plan. */
  iterations: number;
  /** Wall-clock cap in ms, for benchmarks only: with it the plan depends on the machine's speed. */
  timeLimitMs?: number;
  /** Objective cost of leaving a job unassigned, per unit of priority (default 1e6: serve everything that fits). */
  unassignedPenalty?: number;
}

export const DEFAULT_UNASSIGNED_PENALTY = 1e6;

const DESTROY: readonly DestroyKind[] = ['random', 'worst', 'related'];
const REPAIR: readonly RepairKind[] = ['greedy', 'regret'];
/** Jobs removed per iteration: uniform in [Q_MIN, min(Q_MAX, Q_SHARE × movable jobs)]. */
const Q_MIN = 4;
const Q_MAX = 30;
const Q_SHARE = 0.2;
/**
 * Annealing: at the start a plan START_WORSE worse than the starting plan is
 * accepted with probability 1/2; the temperature falls geometrically to
 * END_RATIO of that over the iteration budget. Smaller than Ropke &
 * Pisinger's 5 %: a re-plan starts from a good plan and has few iterations.
 */
const START_WORSE = 0.01;
const END_RATIO = 0.01;
/** Objective changes below this are ties (floating-point noise). */
const EPS = 1e-9;

export function reoptimise(problem: FleetProblem, options: ReoptimiseOptions): FleetPlan {
  const t0 = performance.now();
  const timeLimit = options.timeLimitMs ?? Infinity;
  const state = startState(problem, options.unassignedPenalty ?? DEFAULT_UNASSIGNED_PENALTY);
  const rng = new RandomStream('fleet-alns', options.seed);
  const destroyer = new Destroyer(state, rng);
  const movable = destroyer.movable();
  if (movable > 0 && options.iterations > 0) {
    const qMin = Math.min(movable, Q_MIN);
    const qMax = Math.max(qMin, Math.min(movable, Q_MAX, Math.round(Q_SHARE * movable)));
    search(state, destroyer, rng, options.iterations, { qMin, qMax, t0, timeLimit });
  }
  return toPlan(problem, state);
}

interface Budget {
  qMin: number;
  qMax: number;
  t0: number;
  timeLimit: number;
}

/** The ALNS loop; leaves the best plan found in `state`. */
function search(state: FleetState, destroyer: Destroyer, rng: RandomStream, iterations: number, b: Budget): void {
  let current = state.objective();
  let best = current;
  let bestPlan = state.snapshot();
  let temperature = Math.max((START_WORSE * state.planCost()) / Math.LN2, EPS);
  const cooling = END_RATIO ** (1 / iterations);
  const dWeights = new AdaptiveWeights(DESTROY.length);
  const rWeights = new AdaptiveWeights(REPAIR.length);
  const removed: number[] = [];
  for (let it = 0; it < iterations; it++) {
    if (performance.now() - b.t0 > b.timeLimit) break;
    state.begin();
    const d = dWeights.pick(rng);
    const r = rWeights.pick(rng);
    const q = b.qMin + rng.int(b.qMax - b.qMin + 1);
    removed.length = 0;
    destroyer.run(DESTROY[d], q, removed);
    const jobs = removed.concat(state.pool);
    state.pool = [];
    repair(state, jobs, REPAIR[r]);
    const f = state.objective();
    let score = 0;
    if (f < best - EPS) {
      best = current = f;
      bestPlan = state.snapshot();
      score = SCORE_BEST;
    } else if (f < current - EPS) {
      current = f;
      score = SCORE_BETTER;
    } else if (f <= current + EPS || rng.next() < Math.exp((current - f) / temperature)) {
      if (f > current + EPS) score = SCORE_ACCEPTED;
      current = f;
    } else {
      state.rollback();
    }
    dWeights.credit(d, score);
    rWeights.credit(r, score);
    if ((it + 1) % SEGMENT === 0) {
      dWeights.update();
      rWeights.update();
    }
    temperature *= cooling;
  }
  state.restore(bestPlan);
}

/** The plan in the problem's terms; its cost by the reference evaluator. */
function toPlan(problem: FleetProblem, state: FleetState): FleetPlan {
  const jobs = state.m.jobs;
  const trucks = state.routes.map((r) => {
    let trips: Stop[][] = r.trips.map((trip) => trip.map((j) => jobs[j]));
    // A truck out whose only trip is empty just drives home: no trips, as in the input convention.
    if (trips.length === 1 && trips[0].length === 0) trips = [];
    return { id: r.info.id, trips };
  });
  return { trucks, unassigned: state.pool.map((j) => jobs[j]), cost: planCost(problem, trucks) };
}
