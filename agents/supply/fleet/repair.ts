/**
 * The ALNS repair operators (Ropke & Pisinger 2006): put a set of jobs back
 * into the fleet's plan one at a time.
 * - greedy: always the job whose cheapest insertion is cheapest;
 * - regret-2: the job that loses most if it does not get its best truck now
 *   (second-best truck's cost minus the best), so jobs with one good option
 *   are placed before the cheap slots fill up.
 * Each job's best insertion per truck is cached and, after a job goes onto
 * truck t, only truck t's column is priced again. Loaded jobs go back first
 * into their own truck's trips[0]; a job no truck takes goes to the pool.
 */
import { type Insertion, noInsertion } from './route.js';
import type { FleetState } from './state.js';

export type RepairKind = 'greedy' | 'regret';

/** Regret of a job that only one truck can take: placed before any other. */
const ONLY_OPTION = 1e300;

export function repair(state: FleetState, jobs: readonly number[], kind: RepairKind): void {
  const m = state.m;
  const routes = state.routes;
  const scratch = noInsertion();
  const pending: number[] = [];
  for (const j of jobs) {
    const t = m.loadedOn[j];
    if (t < 0) {
      pending.push(j);
      continue;
    }
    const r = state.edit(t);
    if (r.bestInsertion(j, scratch)) r.insert(j, scratch);
    else pending.push(j);
  }
  const n = pending.length;
  const T = routes.length;
  if (n === 0) return;
  const cost = new Float64Array(n * T);
  const trip = new Int32Array(n * T);
  const pos = new Int32Array(n * T);
  const fresh = new Uint8Array(n * T);
  const price = (i: number, t: number) => {
    const k = i * T + t;
    routes[t].bestInsertion(pending[i], scratch);
    cost[k] = scratch.cost;
    trip[k] = scratch.trip;
    pos[k] = scratch.pos;
    fresh[k] = scratch.newTrip ? 1 : 0;
  };
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) price(i, t);
  const alive = new Uint8Array(n).fill(1);
  const failed: number[] = [];
  const chosen: Insertion = noInsertion();
  for (let round = 0; round < n; round++) {
    let pick = -1;
    let pickTruck = -1;
    let pickBest = Infinity;
    let pickKey = -Infinity;
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      let best = Infinity;
      let second = Infinity;
      let bt = -1;
      const row = i * T;
      for (let t = 0; t < T; t++) {
        const c = cost[row + t];
        if (c < best) {
          second = best;
          best = c;
          bt = t;
        } else if (c < second) second = c;
      }
      if (bt < 0) {
        // No truck takes it now, and inserting others only fills trucks up.
        alive[i] = 0;
        failed.push(pending[i]);
        continue;
      }
      const key = kind === 'greedy' ? -best : second === Infinity ? ONLY_OPTION : second - best;
      if (key > pickKey || (key === pickKey && best < pickBest)) {
        pick = i;
        pickTruck = bt;
        pickBest = best;
        pickKey = key;
      }
    }
    if (pick < 0) break;
    const k = pick * T + pickTruck;
    chosen.cost = cost[k];
    chosen.trip = trip[k];
    chosen.pos = pos[k];
    chosen.newTrip = fresh[k] === 1;
    state.edit(pickTruck).insert(pending[pick], chosen);
    alive[pick] = 0;
    for (let i = 0; i < n; i++) if (alive[i]) price(i, pickTruck);
  }
  if (failed.length > 0) {
    state.pool = state.pool.concat(failed).sort((a, b) => a - b);
  }
}
