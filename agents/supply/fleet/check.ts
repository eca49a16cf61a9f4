/**
 * An independent check of a fleet plan against its problem (written without
 * the search's code, apart from the reference cost evaluator):
 * - one plan per truck, in the problem's order;
 * - every job of the problem (planned or unassigned) exactly once in the
 *   plan, in a trip or in `unassigned`, and no other job;
 * - each trip's Σ qty within the truck's capacity (plus `onBoard` for
 *   trips[0] of a truck out);
 * - loaded jobs in their own truck's trips[0];
 * - a broken truck keeps only its loaded jobs;
 * - no delivery that is not loaded on the trip under way of a truck out;
 * - the plan's cost is its cost, by the reference evaluator (deliveries
 *   late at service start, pickups and parts on board at the arrival home).
 */
import { planCost } from './evaluate.js';
import { LOAD_EPS } from './model.js';
import type { FleetPlan, FleetProblem, Stop } from './types.js';

export type PlanCheck = { ok: true } | { ok: false; reason: string };

export function checkPlan(problem: FleetProblem, plan: FleetPlan): PlanCheck {
  const fail = (reason: string): PlanCheck => ({ ok: false, reason });
  if (plan.trucks.length !== problem.trucks.length) return fail(`${plan.trucks.length} truck plans for ${problem.trucks.length} trucks`);
  const input = new Map<string, Stop>();
  for (const t of problem.trucks) for (const trip of t.trips) for (const s of trip) input.set(s.job, s);
  for (const s of problem.unassigned) input.set(s.job, s);
  const seen = new Set<string>();
  const see = (s: Stop, where: string): string | undefined => {
    const orig = input.get(s.job);
    if (!orig) return `${where}: job ${s.job} is not in the problem`;
    if (seen.has(s.job)) return `job ${s.job} appears more than once (again in ${where})`;
    if (orig.kind !== s.kind || orig.place !== s.place || orig.qty !== s.qty) return `${where}: job ${s.job} differs from the problem's`;
    seen.add(s.job);
    return undefined;
  };
  for (let i = 0; i < problem.trucks.length; i++) {
    const truck = problem.trucks[i];
    const { id, trips } = plan.trucks[i];
    if (id !== truck.id) return fail(`plan ${i} is for truck ${id}, not ${truck.id}`);
    const loaded = new Set(truck.loaded);
    const out = truck.at !== truck.home;
    for (let k = 0; k < trips.length; k++) {
      let load = k === 0 && out ? (truck.onBoard ?? 0) : 0;
      for (const s of trips[k]) {
        const why = see(s, `truck ${id} trip ${k}`);
        if (why) return fail(why);
        load += s.qty;
        const isLoaded = loaded.has(s.job);
        if (!truck.available && !isLoaded) return fail(`truck ${id} is broken but has job ${s.job}, which is not loaded on it`);
        if (k === 0 && out && s.kind === 'delivery' && !isLoaded) {
          return fail(`truck ${id} is out but its trip under way has delivery ${s.job}, which is not loaded`);
        }
      }
      if (load > truck.capacity + LOAD_EPS) return fail(`truck ${id} trip ${k}: load ${load} exceeds the capacity ${truck.capacity}`);
    }
    for (const job of truck.loaded) {
      if (!(trips[0] ?? []).some((s) => s.job === job)) return fail(`loaded job ${job} is not in trips[0] of truck ${id}`);
    }
  }
  for (const s of plan.unassigned) {
    const why = see(s, 'unassigned');
    if (why) return fail(why);
  }
  for (const job of input.keys()) if (!seen.has(job)) return fail(`job ${job} is missing from the plan`);
  const cost = planCost(problem, plan.trucks);
  const tol = 1e-6 * Math.max(1, Math.abs(cost.total));
  if (Math.abs(cost.total - plan.cost.total) > tol) return fail(`the plan says it costs ${plan.cost.total}, it costs ${cost.total}`);
  return { ok: true };
}
