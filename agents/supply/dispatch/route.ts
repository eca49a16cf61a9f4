import { distance, type Stop, type TruckSpec } from './day.js';

/**
 * A truck's route and its timetable, and cheapest feasible insertion into
 * the part of it not yet driven. A small self-contained routine (the
 * project's VRPTW solver lives in agents/supply/routing/ and can replace it).
 *
 * A route is a list of stops that starts and ends at the depot; a depot in
 * the middle is a return to reload (a second trip). Timing rules:
 * - a truck waits at a stop until its window opens, then serves it;
 * - it sets off towards a stop no earlier than the stop is known (`release`);
 * - from the depot it leaves just in time to arrive as the next window opens
 *   (no paid waiting at the first customer);
 * - planned stops must be reached by `close` and the truck must be back by
 *   the depot's close (hard); urgent jobs pay per minute late (soft).
 * Load: each trip leaves the depot with its planned deliveries on board and
 * collects urgent pickups; it never exceeds the capacity.
 */

export interface Timetable {
  arrive: number[];
  depart: number[];
  km: number;
  /** Minutes away from the depot: driving, waiting at customers, serving. */
  minutes: number;
  /** Minutes late summed over the urgent stops. */
  lateMinutes: number;
  /** Highest load on board (units). */
  maxLoad: number;
  /** Why the route breaks a hard constraint, if it does. */
  infeasible?: 'window' | 'capacity' | 'horizon';
}

/** Departure from stop i towards stop i+1 (ready = when stop i's own business ends). */
function departure(route: readonly Stop[], i: number, ready: number, speed: number): number {
  const next = route[i + 1];
  if (!next) return ready;
  let dep = Math.max(ready, next.release);
  if (route[i].kind === 'depot') dep = Math.max(dep, next.open - distance(route[i], next) / speed);
  return dep;
}

/** The timetable of a whole route (deterministic: the part already driven comes out the same every time). */
export function timetable(route: readonly Stop[], spec: TruckSpec): Timetable {
  const n = route.length;
  const arrive = new Array<number>(n);
  const depart = new Array<number>(n);
  let km = 0;
  let minutes = 0;
  let lateMinutes = 0;
  let infeasible: Timetable['infeasible'];
  arrive[0] = 0;
  depart[0] = departure(route, 0, 0, spec.speed);
  for (let i = 1; i < n; i++) {
    const s = route[i];
    const d = distance(route[i - 1], s);
    km += d;
    minutes += d / spec.speed;
    arrive[i] = depart[i - 1] + d / spec.speed;
    if (s.kind === 'depot') {
      if (arrive[i] > s.close + 1e-9) infeasible ??= 'horizon';
      depart[i] = departure(route, i, arrive[i], spec.speed);
      continue;
    }
    if (s.kind === 'planned' && arrive[i] > s.close + 1e-9) infeasible ??= 'window';
    if (s.kind === 'urgent') lateMinutes += Math.max(0, arrive[i] - s.close);
    depart[i] = departure(route, i, Math.max(arrive[i], s.open) + s.service, spec.speed);
    minutes += depart[i] - arrive[i];
  }
  const maxLoad = peakLoad(route);
  if (maxLoad > spec.capacity + 1e-9) infeasible ??= 'capacity';
  return { arrive, depart, km, minutes, lateMinutes, maxLoad, ...(infeasible ? { infeasible } : {}) };
}

/** Highest load over the route: each trip starts with its deliveries and collects its pickups. */
export function peakLoad(route: readonly Stop[]): number {
  let peak = 0;
  let i = 0;
  while (i < route.length - 1) {
    let j = i + 1;
    let load = 0;
    while (j < route.length && route[j].kind !== 'depot') {
      if (route[j].kind === 'planned') load += route[j].demand;
      j++;
    }
    peak = Math.max(peak, load);
    for (let k = i + 1; k < j; k++) {
      load += route[k].kind === 'planned' ? -route[k].demand : route[k].demand;
      peak = Math.max(peak, load);
    }
    i = j;
  }
  return peak;
}

/** Operating cost of a timetable: distance and time away from the depot. */
export function operatingCost(t: Timetable, spec: TruckSpec): number {
  return t.km * spec.costPerKm + (t.minutes / 60) * spec.costPerHour;
}

/** Operating cost plus lateness penalty: what an insertion's cost is measured in. */
export function routeCost(t: Timetable, spec: TruckSpec, latePenaltyPerMinute: number): number {
  return operatingCost(t, spec) + t.lateMinutes * latePenaltyPerMinute;
}

/**
 * Cost of each leg (from stop i-1 to stop i, including the wait and service
 * at stop i): they sum to `operatingCost`. Used by tests and reports.
 */
export function legCosts(route: readonly Stop[], t: Timetable, spec: TruckSpec): number[] {
  const legs: number[] = [];
  for (let i = 1; i < route.length; i++) {
    const d = distance(route[i - 1], route[i]);
    const stay = route[i].kind === 'depot' ? 0 : t.depart[i] - t.arrive[i];
    legs.push(d * spec.costPerKm + ((d / spec.speed + stay) / 60) * spec.costPerHour);
  }
  return legs;
}

/**
 * The first stop the truck has not left by time `now`: where it is, or where
 * it is driving to (no diversion mid-leg). New stops go after it.
 */
export function anchorAt(t: Timetable, now: number): number {
  const last = t.depart.length - 1;
  for (let i = 0; i < last; i++) if (t.depart[i] > now) return i;
  return last;
}

/** Inserts `stop` before position `pos`; `pos === route.length` appends a new trip (stop, then depot). */
export function insertAt(route: readonly Stop[], stop: Stop, pos: number): Stop[] {
  if (pos >= route.length) return [...route, stop, route[0]];
  return [...route.slice(0, pos), stop, ...route.slice(pos)];
}

export interface Insertion {
  pos: number;
  route: Stop[];
  timetable: Timetable;
  /** Added operating cost plus added lateness penalty. */
  delta: number;
}

/** Cheapest feasible position for `stop` after `anchor`, or undefined when every position breaks a hard constraint. */
export function cheapestInsertion(
  route: readonly Stop[],
  before: Timetable,
  stop: Stop,
  anchor: number,
  spec: TruckSpec,
  latePenaltyPerMinute: number,
): Insertion | undefined {
  const base = routeCost(before, spec, latePenaltyPerMinute);
  let best: Insertion | undefined;
  for (let pos = anchor + 1; pos <= route.length; pos++) {
    const candidate = insertAt(route, stop, pos);
    const t = timetable(candidate, spec);
    if (t.infeasible) continue;
    const delta = routeCost(t, spec, latePenaltyPerMinute) - base;
    if (!best || delta < best.delta - 1e-9) best = { pos, route: candidate, timetable: t, delta };
  }
  return best;
}
