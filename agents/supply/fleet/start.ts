/**
 * The re-optimiser's starting plan: the current plan, kept as it is where it
 * is valid, with the stops that must move taken off and put back by regret
 * insertion together with the unassigned jobs:
 * - every stop of a broken truck except its loaded jobs;
 * - a delivery on the trip under way of a truck out that is not loaded on it
 *   (its parts are at home);
 * - stops past a trip's capacity (from the end of the trip, loaded jobs
 *   stay; trips[0] of a truck out counts its `onBoard` load too).
 * Empty trips are dropped. A loaded job that is not in its truck's trips[0]
 * is an error in the input, reported as such.
 */
import { FleetModel, LOAD_EPS } from './model.js';
import { repair } from './repair.js';
import { FleetState } from './state.js';
import type { FleetProblem } from './types.js';

export function startState(problem: FleetProblem, unassignedPenalty: number): FleetState {
  const m = new FleetModel(problem, problem.trucks, problem.unassigned);
  const pending: number[] = [];
  const trips = problem.trucks.map((truck, t) => {
    const info = m.trucks[t];
    const out = truck.trips.map((trip, k) =>
      trip.flatMap((s) => {
        const j = m.jobIndex.get(s.job) as number;
        if (m.loadedOn[j] >= 0) {
          if (m.loadedOn[j] !== t) throw new Error(`fleet: job ${s.job} is loaded on truck ${m.trucks[m.loadedOn[j]].id} but planned on ${truck.id}`);
          if (k !== 0) throw new Error(`fleet: loaded job ${s.job} of truck ${truck.id} is in trip ${k}, not trips[0]`);
          return [j];
        }
        if (!info.available || (k === 0 && info.out && m.delivery[j])) {
          pending.push(j);
          return [];
        }
        return [j];
      }),
    );
    for (let k = 0; k < out.length; k++) {
      const trip = out[k];
      let load = k === 0 ? info.onBoard : 0;
      for (const j of trip) load += m.qty[j];
      for (let i = trip.length - 1; i >= 0 && load > info.capacity + LOAD_EPS; i--) {
        const j = trip[i];
        if (m.loadedOn[j] === t) continue;
        load -= m.qty[j];
        pending.push(j);
        trip.splice(i, 1);
      }
    }
    return out.filter((trip, k) => trip.length > 0 || (k === 0 && info.anchored));
  });
  for (const s of problem.unassigned) {
    const j = m.jobIndex.get(s.job) as number;
    if (m.loadedOn[j] >= 0) throw new Error(`fleet: job ${s.job} is loaded on truck ${m.trucks[m.loadedOn[j]].id} but unassigned`);
    pending.push(j);
  }
  const state = new FleetState(m, trips, unassignedPenalty);
  repair(
    state,
    pending.sort((a, b) => a - b),
    'regret',
  );
  return state;
}
