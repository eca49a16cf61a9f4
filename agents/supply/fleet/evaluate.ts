/**
 * The cost of a fleet plan, computed the plain way: schedule each trip
 * forward, stop by stop. This is the reference the fast search code
 * (route.ts) must agree with, and what every FleetPlan's `cost` is.
 *
 * Conventions (types.ts): the plan starts at max(freeAt, now) from `at`;
 * trips[0] of a truck out goes on from `at`, every other trip leaves home
 * when the previous one is back; service starts at max(arrival, ready);
 * driving is charged per metre and per hour driven (metres / speed), never
 * waiting or service, so an idle truck costs nothing. A delivery is late
 * past `due` at its service start; a pickup at the trip's arrival home (its
 * parts are needed at the warehouse), as are the parts already on board of
 * a truck out (`onBoardDue`, at the end of trips[0]).
 */
import type { OnBoardDue, PlanCost, Stop, TruckPlanState } from './types.js';

/** What costing needs besides the trucks: the clock, the road network and the price of lateness. */
export interface CostContext {
  now: number;
  travel: (from: string, to: string) => number;
  /** Cost per second late per unit of priority (default 1 / 60). */
  latenessCost?: number;
}

export const DEFAULT_LATENESS_COST = 1 / 60;

/** The truck fields costing reads (a TruckPlanState has them all). */
export type TruckSpec = Pick<TruckPlanState, 'home' | 'at' | 'freeAt' | 'speed' | 'costPerKm' | 'costPerHour' | 'onBoardDue'>;

/** Cost of driving one metre: distance and driving time together. */
export function costPerMetre(truck: Pick<TruckSpec, 'speed' | 'costPerKm' | 'costPerHour'>): number {
  return truck.costPerKm / 1000 + truck.costPerHour / 3600 / truck.speed;
}

/** When the truck's remaining plan starts. */
export function planStart(truck: Pick<TruckSpec, 'freeAt'>, now: number): number {
  return Math.max(truck.freeAt, now);
}

/** Where trip k starts: the trip under way goes on from `at`. */
export function tripOrigin(truck: Pick<TruckSpec, 'home' | 'at'>, k: number): string {
  return k === 0 ? truck.at : truck.home;
}

export interface TripSchedule {
  /** Departure from the trip's origin. */
  start: number;
  /** Arrival back home. */
  end: number;
  metres: number;
  arrivals: number[];
  serviceStarts: number[];
  /**
   * Σ seconds late (unweighted) and Σ weighted lateness cost: deliveries at
   * their service start, pickups (and `onBoard`) at `end`.
   */
  lateSeconds: number;
  lateness: number;
}

/**
 * Drives one trip from `from` at `start` through its stops and home.
 * `onBoard`: the due times of parts already on the truck (the trip under
 * way), late at the arrival home like the trip's pickups.
 */
export function scheduleTrip(
  truck: TruckSpec,
  trip: readonly Stop[],
  from: string,
  start: number,
  ctx: CostContext,
  onBoard: readonly OnBoardDue[] = [],
): TripSchedule {
  const latenessCost = ctx.latenessCost ?? DEFAULT_LATENESS_COST;
  const leg = (a: string, b: string) => (a === b ? 0 : ctx.travel(a, b));
  const arrivals: number[] = [];
  const serviceStarts: number[] = [];
  let t = start;
  let prev = from;
  let metres = 0;
  let lateSeconds = 0;
  let lateness = 0;
  const late = (time: number, due: number, priority: number) => {
    const l = Math.max(0, time - due);
    lateSeconds += l;
    lateness += l * priority * latenessCost;
  };
  for (const s of trip) {
    const d = leg(prev, s.place);
    metres += d;
    const arrival = t + d / truck.speed;
    const begin = Math.max(arrival, s.ready);
    if (s.kind === 'delivery') late(begin, s.due, s.priority ?? 1);
    arrivals.push(arrival);
    serviceStarts.push(begin);
    t = begin + s.service;
    prev = s.place;
  }
  const back = leg(prev, truck.home);
  metres += back;
  const end = t + back / truck.speed;
  // Pickups' parts (and those already on board) count when they reach home.
  for (const s of trip) if (s.kind === 'pickup') late(end, s.due, s.priority ?? 1);
  for (const b of onBoard) late(end, b.due, b.priority);
  return { start, end, metres, arrivals, serviceStarts, lateSeconds, lateness };
}

/**
 * Every trip of one truck's plan, in order (a truck out with no trips still
 * drives home, and its parts on board are late or not when it is there).
 */
export function scheduleTruck(truck: TruckSpec, trips: readonly (readonly Stop[])[], ctx: CostContext): TripSchedule[] {
  const out: TripSchedule[] = [];
  let t = planStart(truck, ctx.now);
  const isOut = truck.at !== truck.home;
  const list = trips.length === 0 && isOut ? [[]] : trips;
  list.forEach((trip, k) => {
    const s = scheduleTrip(truck, trip, tripOrigin(truck, k), t, ctx, k === 0 && isOut ? truck.onBoardDue : undefined);
    out.push(s);
    t = s.end;
  });
  return out;
}

/** The cost of one truck's remaining plan. */
export function truckCost(truck: TruckSpec, trips: readonly (readonly Stop[])[], ctx: CostContext): PlanCost {
  let metres = 0;
  let lateSeconds = 0;
  let lateness = 0;
  for (const s of scheduleTruck(truck, trips, ctx)) {
    metres += s.metres;
    lateSeconds += s.lateSeconds;
    lateness += s.lateness;
  }
  const driving = metres * costPerMetre(truck);
  return { driving, lateness, km: metres / 1000, lateSeconds, total: driving + lateness };
}

/** Adds cost b into a. */
export function addCost(a: PlanCost, b: PlanCost): PlanCost {
  a.driving += b.driving;
  a.lateness += b.lateness;
  a.km += b.km;
  a.lateSeconds += b.lateSeconds;
  a.total += b.total;
  return a;
}

export const zeroCost = (): PlanCost => ({ driving: 0, lateness: 0, km: 0, lateSeconds: 0, total: 0 });

/**
 * The cost of a plan for the problem's trucks: `trucks[i]` holds the trips of
 * `problem.trucks[i]` (a FleetPlan's `trucks`, or the problem's own). Jobs
 * left unassigned cost nothing here; the search adds its penalty for them.
 */
export function planCost(
  problem: CostContext & { trucks: readonly TruckPlanState[] },
  trucks: readonly { id: string; trips: readonly (readonly Stop[])[] }[] = problem.trucks,
): PlanCost {
  if (trucks.length !== problem.trucks.length) throw new Error(`planCost: ${trucks.length} plans for ${problem.trucks.length} trucks`);
  const total = zeroCost();
  problem.trucks.forEach((truck, i) => {
    if (trucks[i].id !== truck.id) throw new Error(`planCost: plan ${i} is for truck ${trucks[i].id}, not ${truck.id}`);
    addCost(total, truckCost(truck, trucks[i].trips, problem));
  });
  return total;
}
