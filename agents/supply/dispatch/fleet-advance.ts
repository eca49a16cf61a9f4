import { costPerMetre, zeroCost, type CostContext, type OnBoardDue, type PlanCost, type Stop, type TruckPlanState } from '../fleet/index.js';

/**
 * Time passing for a truck of the fleet model (agents/supply/fleet/types.ts):
 * the truck drives its plan as the truck agent does (agents/truck/truck.ts),
 * and what it has done leaves the plan and goes into a ledger of realised
 * cost.
 *
 * Commitment follows the truck agent and the model's own convention for
 * `at`: a truck commits to a stop when it sets off towards it (no diversion
 * mid-leg), so from then on that stop is out of the plan, `at` is its place
 * and `freeAt` the end of its service. The same for the drive home at the
 * end of a trip: `at` becomes home while the truck is on its way, `freeAt`
 * its arrival. Leaving home for a trip loads the trip's deliveries
 * (`loaded`); a pickup served goes on board (`onBoard`, `onBoardDue`) until
 * the truck is home.
 *
 * Costs are realised by the fleet's own rules (evaluate.ts): a leg's driving
 * when the truck sets off on it; a delivery's lateness at its service start;
 * the lateness of the parts on board at the arrival home. So, between two
 * changes of the plan, realised cost + the remaining plan's cost
 * (`truckCost` at the new time) stays what the plan cost before (tested).
 *
 * Departures at exactly `to` have not happened yet: a decision at `to` can
 * still change a plan whose next leg starts then.
 */

/** The fleet optimiser's default cost per second late per unit of priority (types.ts: one per minute). */
export const FLEET_LATENESS_COST = 1 / 60;

/** A stop the truck set off to, with when its service starts and how late it is there (deliveries). */
export interface Departure {
  job: string;
  kind: Stop['kind'] | 'home';
  /** When the truck set off. */
  depart: number;
  /** Service start at the stop (arrival for the drive home). */
  serviceStart: number;
}

export interface Advanced {
  truck: TruckPlanState;
  /** Cost realised between `ctx.now` and `to`. */
  cost: PlanCost;
  departures: Departure[];
}


/**
 * Moves `truck` (its state at `ctx.now`) to time `to` (≥ ctx.now; Infinity:
 * until it is home with nothing left). The truck given is not changed.
 */
export function advanceTruck(truck: TruckPlanState, to: number, ctx: CostContext): Advanced {
  if (to < ctx.now) throw new RangeError(`advanceTruck: cannot go back from ${ctx.now} to ${to}`);
  const latenessCost = ctx.latenessCost ?? FLEET_LATENESS_COST;
  const rate = costPerMetre(truck);
  const leg = (a: string, b: string) => (a === b ? 0 : ctx.travel(a, b));
  const cost = zeroCost();
  const departures: Departure[] = [];
  const late = (time: number, due: number, priority: number) => {
    const l = Math.max(0, time - due);
    cost.lateSeconds += l;
    cost.lateness += l * priority * latenessCost;
  };
  const drive = (metres: number) => {
    cost.km += metres / 1000;
    cost.driving += metres * rate;
  };
  let at = truck.at;
  let freeAt = truck.freeAt;
  let trips = truck.trips;
  let copied = false;
  let loaded = truck.loaded;
  let onBoard = truck.onBoard ?? 0;
  let onBoardDue: OnBoardDue[] = truck.onBoardDue ?? [];
  for (;;) {
    // When the truck is next free to choose its way: a plan cannot start in the past.
    const depart = Math.max(freeAt, ctx.now);
    if (!(depart < to)) break;
    if (at === truck.home) {
      let k = 0;
      while (k < trips.length && trips[k].length === 0) k++;
      if (k === trips.length) break; // home with nothing to do
      trips = trips.slice(k);
      // Setting off on a trip: its deliveries are loaded; nothing else is on board.
      loaded = trips[0].filter((s) => s.kind === 'delivery').map((s) => s.job);
      onBoard = 0;
      onBoardDue = [];
    } else if (trips.length === 0 || trips[0].length === 0) {
      // The trip under way is done: home, where the parts on board are unloaded.
      const d = leg(at, truck.home);
      drive(d);
      const arrival = depart + d / truck.speed;
      for (const b of onBoardDue) late(arrival, b.due, b.priority);
      departures.push({ job: '', kind: 'home', depart, serviceStart: arrival });
      at = truck.home;
      freeAt = arrival;
      trips = trips.slice(1);
      loaded = [];
      onBoard = 0;
      onBoardDue = [];
      continue;
    }
    if (!copied) {
      trips = trips.map((t) => t.slice());
      copied = true;
    }
    const s = trips[0].shift() as Stop;
    const d = leg(at, s.place);
    drive(d);
    const arrival = depart + d / truck.speed;
    const begin = Math.max(arrival, s.ready);
    if (s.kind === 'delivery') {
      late(begin, s.due, s.priority ?? 1);
      loaded = loaded.filter((j) => j !== s.job);
    } else {
      onBoard += s.qty;
      onBoardDue = [...onBoardDue, { due: s.due, priority: s.priority ?? 1 }];
    }
    departures.push({ job: s.job, kind: s.kind, depart, serviceStart: begin });
    at = s.place;
    freeAt = begin + s.service;
  }
  cost.total = cost.driving + cost.lateness;
  const out = at !== truck.home;
  const next: TruckPlanState = { ...truck, at, freeAt, trips, loaded: out ? loaded : [] };
  // What is on board matters only to a truck out (types.ts).
  delete next.onBoard;
  delete next.onBoardDue;
  if (out) {
    next.onBoard = onBoard;
    next.onBoardDue = onBoardDue;
  }
  return { truck: next, cost, departures };
}
