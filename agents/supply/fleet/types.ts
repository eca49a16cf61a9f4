/**
 * The fleet plan of the supply chain's trucks, as the dynamic dispatcher
 * sees it: every truck's remaining stops, and the jobs no truck has yet.
 *
 * Every truck is based at one home (the warehouse the parts go to). A job is
 * one stop: a pickup at a supplier (its load rides home and is unloaded
 * there) or a delivery to a customer (loaded at home before the trip). A
 * plan is a list of trips, each leaving home and coming back. Capacity is
 * checked on the sum of a trip's pickups and deliveries: conservative for a
 * trip that mixes both (the load never exceeds that sum), exact otherwise.
 * The trip under way of a truck out also carries `onBoard`, the load of the
 * pickups it has already made: its check is onBoard + the sum of its stops.
 *
 * Times are kernel seconds; distances metres; the travel function is the
 * road network's, so quotes and driving agree.
 *
 * Costing (agents/supply/fleet/evaluate.ts): each leg costs metres / 1000 ×
 * costPerKm + metres / speed / 3600 × costPerHour; waiting and service are not
 * charged. A trip is served in order, service starting at max(arrival,
 * ready); each second late costs priority × latenessCost (soft windows: a
 * late plan is worse, never invalid). When a job is late depends on its kind:
 * - a delivery is late by max(0, service start − due): the customer waits;
 * - a pickup is late by max(0, arrival home at the end of its trip − due):
 *   its parts are needed at the warehouse, so every stop after it, and the
 *   drive home, count. The parts already on board of a truck out
 *   (`onBoardDue`) are late the same way, at the end of trips[0].
 */

export type StopKind = 'pickup' | 'delivery';

export interface Stop {
  /** The job's id (a purchase order, a customer order line); unique in a plan. */
  job: string;
  kind: StopKind;
  /** Where the truck goes: a supplier's or a customer's place. */
  place: string;
  /** Units loaded (pickup) or unloaded (delivery). */
  qty: number;
  /** Earliest service start (the parts are ready, the customer opens). */
  ready: number;
  /**
   * Latest wanted time, at a penalty per second late: of the service start
   * for a delivery, of the arrival home at the end of the trip for a pickup
   * (when its parts reach the warehouse).
   */
  due: number;
  /** Seconds at the stop. */
  service: number;
  /** Weight of lateness (urgent parts for a stopped machine weigh more); default 1. */
  priority?: number;
}

/** A truck as the dispatcher sees it. */
export interface TruckPlanState {
  id: string;
  home: string;
  capacity: number;
  /** m/s */
  speed: number;
  costPerKm: number;
  costPerHour: number;
  /** Broken trucks take nothing new; their movable stops go to others. */
  available: boolean;
  /**
   * Where and when the truck is next free to choose its way: the place of the
   * stop it is driving to or serving (or home, or where it broke down), and
   * the time it is done there. That stop is no longer in the plan. The plan
   * starts at max(freeAt, now): a truck cannot leave in the past.
   */
  at: string;
  freeAt: number;
  /**
   * Trips still to drive. When `at` is not home, trips[0] goes on from `at`
   * (the trip under way) before coming home; every other trip leaves home.
   * A truck out with no trips (or an empty trips[0]) still drives home from
   * `at`. A trip under way takes pickups but no delivery that is not
   * `loaded`: that delivery's parts are at home.
   */
  trips: Stop[][];
  /**
   * Jobs of trips[0] loaded on the truck (deliveries it carries): they stay
   * in this truck's first trip; the re-optimiser may only reorder them.
   */
  loaded: string[];
  /**
   * Units on the truck from pickups already made on the trip under way (no
   * longer in the plan; unloaded at home), the pickup at `at` included.
   * Only when `at !== home`, ignored at home; default 0. trips[0] of a truck
   * out must fit onBoard + the sum of its stops (loaded deliveries are in
   * trips[0], counted there).
   */
  onBoard?: number;
  /**
   * The due times of the parts of those pickups: each is late by
   * max(0, arrival home at the end of trips[0] − due), weighted by its
   * priority, like a pickup in the plan. So a stop added to the trip under
   * way costs the delay it gives the parts already on board. Only when
   * `at !== home`; default none.
   */
  onBoardDue?: OnBoardDue[];
}

/** Parts already picked up on the trip under way: when they are wanted at home, and their weight. */
export interface OnBoardDue {
  due: number;
  priority: number;
}

export interface FleetProblem {
  now: number;
  trucks: TruckPlanState[];
  /** Jobs not in any truck's plan. */
  unassigned: Stop[];
  /** Metres between two places (0 for the same place). */
  travel: (from: string, to: string) => number;
  /** Cost per second late, per unit of priority (default 1 / 60: one per minute). */
  latenessCost?: number;
}

export interface PlanCost {
  /** Driving cost: km × costPerKm + hours × costPerHour, over every truck's remaining plan. */
  driving: number;
  /** Σ seconds late × priority × latenessCost (deliveries at service start, pickups and parts on board at home). */
  lateness: number;
  km: number;
  lateSeconds: number;
  total: number;
}

export interface FleetPlan {
  /** Per truck, in the problem's order: its trips (loaded jobs still in trips[0]). */
  trucks: { id: string; trips: Stop[][] }[];
  /** Jobs no truck could take (no truck available, or none can carry them). */
  unassigned: Stop[];
  /** The trucks' plans (the search's penalty for unassigned jobs is not in it). */
  cost: PlanCost;
}

/** What taking a job would cost one truck: its bid. */
export interface InsertionQuote {
  /** Added cost (driving + lateness) of the cheapest position. */
  cost: number;
  /** Plan cost before the insertion (Open-RMF's previous cost). */
  previousCost: number;
  /** When the job's service would start (for a pickup too: its lateness is measured at home, but this is when the truck is there). */
  serviceStart: number;
  /** Trip index (trips.length: a new trip) and position in that trip. */
  trip: number;
  position: number;
  /**
   * True when the job gets a trip of its own, put before trips[trip]
   * (trip === trips.length: after the last; position is then 0). A new trip
   * between two others lets an urgent job go out on the truck's next return
   * home instead of after all its trips. Apply a quote with `insertAt`.
   */
  newTrip?: boolean;
}
