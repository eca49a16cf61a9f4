import { insertAt, quoteInsertion, type CostContext, type InsertionQuote, type Stop, type TruckPlanState } from '../fleet/index.js';
import { pickTruck } from '../dispatch/fleet-policy.js';
import type { MlpWeights } from '../dispatch/mlp-forward.js';
import { fleetProblem, type DispatchBook, type TruckJob } from './dispatch-book.js';

/**
 * The learned urgent dispatcher in the product (`urgentDispatch: rl`): the
 * supply coordinator itself quotes every truck from its dispatch book
 * (each truck's plan as last reported, `fleetProblem`), the learned policy
 * picks one among those that can take the job (agents/supply/dispatch/:
 * trained and benchmarked on the fleet model, bench/results/dispatch-fleet.json),
 * and the job goes where that truck's quote puts it (`insertAt`). The truck
 * is told by a `route.revised` with its new plan, the revision bumped as
 * `applyPlan` does, so the truck's older reports are known to be stale.
 *
 * Pure and synchronous: plain data in, plain data out; the network is the
 * plain-TypeScript forward pass of mlp-forward.ts. Undefined when no truck
 * can take the job (none available, the job bigger than every truck, a
 * place off the distance table): the caller falls back to the auction.
 */

export interface UrgentAssignment {
  book: DispatchBook;
  truck: string;
  /** The truck's new revision and plan: the `route.revised` to send it. */
  revision: number;
  trips: Stop[][];
  quote: InsertionQuote;
}

/** The book's view of a truck, fit for quoting: `loaded` keeps only jobs still in its first trip (a stale report may list others). */
function quotable(t: TruckPlanState): TruckPlanState {
  const first = new Set((t.trips[0] ?? []).map((s) => s.job));
  return t.loaded.every((j) => first.has(j)) ? t : { ...t, loaded: t.loaded.filter((j) => first.has(j)) };
}

export function assignUrgent(
  book: DispatchBook,
  job: Omit<TruckJob, 'status'>,
  now: number,
  travel: (a: string, b: string) => number,
  weights: MlpWeights,
  latenessCost?: number,
): UrgentAssignment | undefined {
  const stop = job.stop;
  const problem = fleetProblem(book, now, travel, latenessCost !== undefined ? { latenessCost } : {});
  const ctx: CostContext = { now, travel, ...(latenessCost !== undefined ? { latenessCost } : {}) };
  const trucks = problem.trucks.map(quotable);
  // As a truck does before it bids: a place it cannot reach gets no quote.
  const quotes = trucks.map((t) => (t.trips.flat().some((s) => s.job === stop.job) || !Number.isFinite(travel(t.home, stop.place)) ? undefined : quoteInsertion(t, stop, ctx)));
  const i = pickTruck(weights, { job: stop, trucks, quotes, ctx });
  if (i < 0) return undefined;
  const truck = trucks[i];
  const quote = quotes[i]!;
  const trips = insertAt(truck, quote, stop);
  const view = book.trucks[truck.id];
  const revision = view.revision + 1;
  return {
    book: {
      jobs: { ...book.jobs, [stop.job]: { ...job, status: 'planned', truck: truck.id } },
      trucks: { ...book.trucks, [truck.id]: { ...view, trips: trips.map((trip) => trip.map((s) => s.job)), revision } },
    },
    truck: truck.id,
    revision,
    trips,
    quote,
  };
}
