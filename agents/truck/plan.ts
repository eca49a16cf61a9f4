import { truckCost, type CostContext } from '../supply/fleet/index.js';
import type { Stop, TruckPlanState } from '../supply/fleet/types.js';

/**
 * A revised plan as the truck applies it. The coordinator planned from the
 * truck's last report, and the truck may have moved on since: the stop it
 * is driving to or serving is dropped from the revision (it is under way),
 * and a delivery on board that the revision lacks stays in the first trip
 * (parts on a truck cannot be handed to another one on paper).
 */
export function reconcileRevision(revised: readonly Stop[][], own: { current?: string; loaded: readonly string[]; held: readonly Stop[][] }): Stop[][] {
  // trips[0] stays even when empty: for a truck away it is the trip under way, and it goes home after it.
  const trips = revised.map((t) => t.filter((s) => s.job !== own.current)).filter((t, k) => k === 0 || t.length > 0);
  const planned = new Set(trips.flat().map((s) => s.job));
  const heldStops = new Map(own.held.flat().map((s) => [s.job, s]));
  const missing = own.loaded.filter((j) => j !== own.current && !planned.has(j)).flatMap((j) => heldStops.get(j) ?? []);
  if (missing.length === 0) return trips.length === 1 && trips[0].length === 0 ? [] : trips;
  return [[...(trips[0] ?? []), ...missing], ...trips.slice(1)];
}

/**
 * How long a truck at home may wait before leaving on its plan without any
 * stop getting later than if it left now (searched by bisection up to
 * `maxHold` seconds). Waiting lets jobs that come in meanwhile ride on the
 * same trip instead of a trip of their own: the consolidation a dispatcher
 * gets from holding trucks until they must go.
 */
export function departureSlack(truck: TruckPlanState, ctx: CostContext, maxHold: number): number {
  const lateAfter = (wait: number) => truckCost({ ...truck, freeAt: ctx.now + wait }, truck.trips, { ...ctx, now: ctx.now + wait }).lateSeconds;
  const base = lateAfter(0);
  if (lateAfter(maxHold) <= base + 1e-6) return maxHold;
  let lo = 0;
  let hi = maxHold;
  for (let i = 0; i < 30 && hi - lo > 1; i++) {
    const mid = (lo + hi) / 2;
    if (lateAfter(mid) <= base + 1e-6) lo = mid;
    else hi = mid;
  }
  return lo;
}
