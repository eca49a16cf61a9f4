/**
 * Independent checks on VRPTW solutions and a cheap insertion helper.
 * Waiting is allowed: service starts at max(arrival, ready) and must not
 * start after the due date; each route must be back at the depot by its due
 * date.
 */
import type { VrptwInstance } from './instance.js';

/** Tolerance on times (floating-point sums of Euclidean distances). */
const EPS = 1e-7;

export type CheckResult = { ok: true } | { ok: false; reason: string };

/** Checks capacity, time windows (waiting allowed), fleet size and that every customer is served exactly once. */
export function checkSolution(inst: VrptwInstance, routes: readonly (readonly number[])[]): CheckResult {
  const m = inst.n + 1;
  const seen = new Uint8Array(m);
  const used = routes.filter((r) => r.length > 0).length;
  if (used > inst.maxVehicles) return { ok: false, reason: `${used} routes exceed the fleet of ${inst.maxVehicles} vehicles` };
  for (let k = 0; k < routes.length; k++) {
    const r = routes[k];
    let load = 0;
    let t = inst.ready[0];
    let prev = 0;
    for (const c of r) {
      if (!Number.isInteger(c) || c < 1 || c > inst.n) return { ok: false, reason: `route ${k}: unknown customer ${c}` };
      if (seen[c]) return { ok: false, reason: `customer ${c} is visited more than once` };
      seen[c] = 1;
      load += inst.demand[c];
      t = Math.max(t + inst.dist[prev * m + c], inst.ready[c]);
      if (t > inst.due[c] + EPS) {
        return { ok: false, reason: `route ${k}: service at customer ${c} starts at ${t.toFixed(2)}, after its due date ${inst.due[c]}` };
      }
      t += inst.service[c];
      prev = c;
    }
    if (load > inst.capacity + EPS) return { ok: false, reason: `route ${k}: load ${load} exceeds the capacity ${inst.capacity}` };
    if (r.length > 0) {
      t += inst.dist[prev * m];
      if (t > inst.due[0] + EPS) return { ok: false, reason: `route ${k}: returns to the depot at ${t.toFixed(2)}, after ${inst.due[0]}` };
    }
  }
  for (let c = 1; c <= inst.n; c++) if (!seen[c]) return { ok: false, reason: `customer ${c} is not served` };
  return { ok: true };
}

/** Where to insert a customer: `route` = routes.length means a new route. */
export interface Insertion {
  route: number;
  /** Index in the route's customer list the customer goes to (0 = first). */
  position: number;
  /** Added distance. */
  delta: number;
}

/**
 * The cheapest feasible insertion of `customer` into `routes` (which must be
 * feasible), in O(total length): forward start times and backward latest
 * starts tell in O(1) whether a position keeps every window. A new route is
 * proposed when no existing position fits and the fleet allows one more;
 * otherwise null.
 */
export function bestInsertion(inst: VrptwInstance, routes: readonly (readonly number[])[], customer: number): Insertion | null {
  const m = inst.n + 1;
  const d = inst.dist;
  const c = customer;
  let best: Insertion | null = null;
  for (let k = 0; k < routes.length; k++) {
    const r = routes[k];
    const len = r.length;
    let load = 0;
    for (const v of r) load += inst.demand[v];
    if (load + inst.demand[c] > inst.capacity + EPS) continue;
    // latest[p]: latest service start at position p (p = len: arrival at the depot).
    const latest = new Float64Array(len + 1);
    latest[len] = inst.due[0];
    for (let p = len - 1; p >= 0; p--) {
      const next = p + 1 < len ? r[p + 1] : 0;
      latest[p] = Math.min(inst.due[r[p]], latest[p + 1] - d[r[p] * m + next] - inst.service[r[p]]);
    }
    let prev = 0;
    let leave = inst.ready[0]; // departure time from prev
    for (let p = 0; p <= len; p++) {
      const next = p < len ? r[p] : 0;
      const start = Math.max(leave + d[prev * m + c], inst.ready[c]);
      if (start <= inst.due[c] + EPS) {
        const arrive = start + inst.service[c] + d[c * m + next];
        const nextStart = p < len ? Math.max(arrive, inst.ready[next]) : arrive;
        if (nextStart <= latest[p] + EPS) {
          const delta = d[prev * m + c] + d[c * m + next] - d[prev * m + next];
          if (!best || delta < best.delta) best = { route: k, position: p, delta };
        }
      }
      if (p < len) {
        leave = Math.max(leave + d[prev * m + next], inst.ready[next]) + inst.service[next];
        prev = next;
      }
    }
  }
  const used = routes.filter((r) => r.length > 0).length;
  if (!best && used < inst.maxVehicles) {
    const empty = routes.findIndex((r) => r.length === 0);
    best = { route: empty >= 0 ? empty : routes.length, position: 0, delta: 2 * d[c] };
  }
  return best;
}
