/**
 * A truck's bid for a job: the cheapest place for it in the truck's plan
 * (any position of any trip, or a trip of its own between two others or
 * after the last) and the marginal cost of putting it there: added driving
 * plus the added lateness of the job and of every stop it delays, in this
 * trip and the later ones. A pickup's lateness is at its trip's arrival home,
 * so a stop that delays a trip's return also makes its pickups (and the parts
 * on board, for the trip under way) later; the quote's `serviceStart` is
 * still when the truck serves the job.
 *
 * The truck's plan is scheduled once (forward: arrival and service start per
 * stop), then each position is priced from its neighbours and the delay
 * pushed forward until waiting absorbs it (route.ts): O(positions × delay
 * run) with no copy of the plan.
 */
import type { CostContext } from './evaluate.js';
import { FleetModel, LOAD_EPS } from './model.js';
import { noInsertion, TruckRoute } from './route.js';
import type { InsertionQuote, Stop, TruckPlanState } from './types.js';

/**
 * What taking `stop` would cost `truck`; undefined when the truck is broken
 * or the job is bigger than it (a trip of its own always exists otherwise).
 * For a truck out with no trips, trips[0] is the empty trip home under way,
 * so a quote's `trip` counts it (insertAt does the same).
 */
export function quoteInsertion(truck: TruckPlanState, stop: Stop, ctx: CostContext): InsertionQuote | undefined {
  if (!truck.available || !(stop.qty <= truck.capacity + LOAD_EPS)) return undefined;
  const m = new FleetModel(ctx, [truck], [stop]);
  const route = new TruckRoute(
    m,
    0,
    truck.trips.map((trip) => trip.map((s) => m.jobIndex.get(s.job) as number)),
  );
  const best = noInsertion();
  if (!route.bestInsertion(m.jobs.length - 1, best)) return undefined;
  const quote: InsertionQuote = {
    cost: best.cost,
    previousCost: route.cost,
    serviceStart: best.serviceStart,
    trip: best.trip,
    position: best.pos,
  };
  if (best.newTrip) quote.newTrip = true;
  return quote;
}

/** The truck's trips with `stop` placed as `quote` says (the truck's own arrays are not changed). */
export function insertAt(truck: TruckPlanState, quote: InsertionQuote, stop: Stop): Stop[][] {
  const trips = truck.trips.map((t) => t.slice());
  if (trips.length === 0 && truck.at !== truck.home) trips.push([]);
  if (quote.trip < 0 || quote.trip > trips.length) throw new RangeError(`insertAt: truck ${truck.id} has no trip ${quote.trip}`);
  if (quote.newTrip || quote.trip === trips.length) trips.splice(quote.trip, 0, [stop]);
  else trips[quote.trip].splice(quote.position, 0, stop);
  return trips;
}

/** The cheapest bid among trucks (first truck on ties), or undefined when none can take the job. */
export function cheapestTruck(
  trucks: readonly TruckPlanState[],
  stop: Stop,
  ctx: CostContext,
): { truck: number; quote: InsertionQuote } | undefined {
  let best: { truck: number; quote: InsertionQuote } | undefined;
  trucks.forEach((truck, i) => {
    const quote = quoteInsertion(truck, stop, ctx);
    if (quote && (!best || quote.cost < best.quote.cost)) best = { truck: i, quote };
  });
  return best;
}
