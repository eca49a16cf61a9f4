/**
 * solveVrptw: hierarchical VRPTW optimisation (fewest vehicles, then
 * distance) with the hybrid genetic search in three phases sharing one
 * budget (wall clock and/or iterations):
 *  1. a greedy insertion construction, then HGS with the full fleet until
 *     15 % of the budget (and a feasible solution);
 *  2. route minimisation until 60 %: cut the best solution and the feasible
 *     subpopulation to one route fewer (drop the smallest routes, reinsert
 *     their customers), and run HGS with that fleet until a feasible solution
 *     appears (then try again);
 *  3. HGS with the fleet of the best solution for the rest.
 * With only an iteration budget the result depends only on the seed.
 */
import { bestInsertion, checkSolution } from './check.js';
import { GeneticSearch } from './genetic.js';
import { type VrptwInstance, totalDistance, vehicleLowerBound } from './instance.js';
import { Rng } from './rng.js';

export interface SolveOptions {
  /** Wall-clock budget in milliseconds (the search stops when it is spent). */
  timeLimitMs?: number;
  /** Budget in local-search runs (deterministic for a seed). Default 2000 without a time limit. */
  iterations?: number;
  seed?: number;
  /** A starting solution (customer lists), e.g. the current plan to re-optimise. */
  initial?: readonly (readonly number[])[];
  /** Granular neighbourhood size (default 30). */
  neighbours?: number;
  /** Receives one line per phase change and new best solution (for diagnostics). */
  log?: (line: string) => void;
}

export interface VrptwSolution {
  /** Customer lists, depot omitted. */
  routes: number[][];
  vehicles: number;
  distance: number;
  feasible: boolean;
  /** Local-search runs performed. */
  iterations: number;
}

/** Share of the budget for phase 1 and the end of phase 2. */
const PHASE1 = 0.15;
const PHASE2 = 0.6;
/** Route minimisation: seeds taken from the feasible subpopulation, and random individuals added. */
const SEEDS = 24;
const RANDOM_AFTER_CUT = 25;

export function solveVrptw(inst: VrptwInstance, opts: SolveOptions = {}): VrptwSolution {
  const t0 = performance.now();
  const timeLimit = opts.timeLimitMs ?? Infinity;
  const iterLimit = opts.iterations ?? (opts.timeLimitMs === undefined ? 2000 : Infinity);
  const rng = new Rng(opts.seed ?? 0);
  const gs = new GeneticSearch(inst, granularNeighbours(inst, opts.neighbours ?? 30), rng);
  const progress = () => Math.max(gs.iterations / iterLimit, (performance.now() - t0) / timeLimit);
  const stop = () => progress() >= 1;
  const log = opts.log ?? (() => {});
  const say = (what: string) =>
    log(`${((performance.now() - t0) / 1000).toFixed(2)} s, it ${gs.iterations}: ${what}; best ${gs.best ? `${gs.best.vehicles} / ${gs.best.distance.toFixed(2)}` : 'none'}`);

  gs.reset(gs.fleet, opts.initial ? [opts.initial, construct(inst)] : [construct(inst)]);
  gs.beginInitial();
  while (!stop() && (progress() < PHASE1 || !gs.best)) gs.step();

  const lb = vehicleLowerBound(inst);
  let restarted = false;
  while (!stop() && gs.best && gs.best.vehicles - 1 >= lb && progress() < PHASE2) {
    const target = gs.best.vehicles - 1;
    say(`route minimisation: fleet ${target}`);
    // Seed with the best and the feasible subpopulation, each cut down to the target fleet.
    const seeds = [gs.best, ...gs.pop.feasible.slice(0, SEEDS)].map((ind) => dropRoutes(inst, ind.routes, target));
    gs.reset(target, seeds);
    gs.beginInitial(RANDOM_AFTER_CUT);
    restarted = true;
    while (!stop() && gs.best.vehicles > target && progress() < PHASE2) gs.step();
    if (gs.best.vehicles > target) break;
  }
  say('distance phase');

  if (restarted && gs.best) {
    gs.fleet = gs.best.vehicles;
    gs.addSeed(gs.best.routes);
  }
  while (!stop()) gs.step();
  say('done');

  const best = gs.best ?? gs.bestAny!;
  const routes = best.routes.map((r) => [...r]);
  return {
    routes,
    vehicles: routes.length,
    distance: totalDistance(inst, routes),
    feasible: checkSolution(inst, routes).ok,
    iterations: gs.iterations,
  };
}

/**
 * For each customer, the k others closest by Vidal's time-window-aware
 * proximity: distance + 0.2 × minimal waiting + 1 × minimal time warp when
 * one directly follows the other (the smaller of both orders).
 */
export function granularNeighbours(inst: VrptwInstance, k: number): Int32Array[] {
  const n = inst.n;
  const m = n + 1;
  const prox = (i: number, j: number) => {
    const t = inst.dist[i * m + j];
    const wait = Math.max(inst.ready[j] - t - inst.service[i] - inst.due[i], 0);
    const warp = Math.max(inst.ready[i] + inst.service[i] + t - inst.due[j], 0);
    return t + 0.2 * wait + warp;
  };
  const out: Int32Array[] = [new Int32Array(0)];
  for (let i = 1; i <= n; i++) {
    const others: { j: number; p: number }[] = [];
    for (let j = 1; j <= n; j++) if (j !== i) others.push({ j, p: Math.min(prox(i, j), prox(j, i)) });
    others.sort((a, b) => a.p - b.p || a.j - b.j);
    out.push(Int32Array.from(others.slice(0, Math.min(k, n - 1)), (o) => o.j));
  }
  return out;
}

/** The routes cut down to `target` routes: the smallest are dropped and their customers reinserted. */
function dropRoutes(inst: VrptwInstance, routes: readonly (readonly number[])[], target: number): number[][] {
  const sorted = routes.map((r) => [...r]).sort((a, b) => b.length - a.length);
  const rest = sorted.slice(0, target);
  return insertAll({ ...inst, maxVehicles: rest.length }, rest, sorted.slice(target).flat());
}

/** Greedy construction: customers by increasing due date, each at its cheapest feasible position. */
export function construct(inst: VrptwInstance): number[][] {
  const order = Array.from({ length: inst.n }, (_, i) => i + 1).sort((a, b) => inst.due[a] - inst.due[b] || a - b);
  return insertAll(inst, [], order);
}

/**
 * Inserts customers one by one at their cheapest feasible position (a new
 * route if the fleet allows); without one, at the cheapest position by
 * distance (the penalised search repairs it).
 */
function insertAll(inst: VrptwInstance, routes: number[][], customers: readonly number[]): number[][] {
  const m = inst.n + 1;
  for (const c of customers) {
    const ins = bestInsertion(inst, routes, c);
    if (ins) {
      if (ins.route === routes.length) routes.push([]);
      routes[ins.route].splice(ins.position, 0, c);
      continue;
    }
    let bestR = 0;
    let bestP = 0;
    let bestD = Infinity;
    routes.forEach((r, k) => {
      for (let p = 0; p <= r.length; p++) {
        const a = p > 0 ? r[p - 1] : 0;
        const b = p < r.length ? r[p] : 0;
        const delta = inst.dist[a * m + c] + inst.dist[c * m + b] - inst.dist[a * m + b];
        if (delta < bestD) {
          bestD = delta;
          bestR = k;
          bestP = p;
        }
      }
    });
    if (routes.length === 0) routes.push([]);
    routes[bestR].splice(bestP, 0, c);
  }
  return routes;
}
