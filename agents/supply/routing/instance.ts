/**
 * The vehicle routing problem with time windows (VRPTW): one depot (node 0)
 * and customers 1..n, each with a demand, a time window [ready, due] for the
 * start of service and a service time. Identical vehicles of one capacity
 * leave the depot at or after its ready time and must be back by its due
 * date. Travel time equals the Euclidean distance (unrounded).
 */
export interface VrptwInstance {
  /** Name of the instance (e.g. "C101"). */
  readonly name: string;
  /** Number of customers n (nodes are 0 = depot, 1..n = customers). */
  readonly n: number;
  readonly capacity: number;
  /** Maximum number of vehicles (routes). */
  readonly maxVehicles: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly demand: Float64Array;
  /** Earliest start of service. */
  readonly ready: Float64Array;
  /** Latest start of service (for the depot: latest return). */
  readonly due: Float64Array;
  readonly service: Float64Array;
  /** Row-major (n+1)×(n+1) Euclidean distances = travel times. */
  readonly dist: Float64Array;
}

/** One node of an instance as given by the user; index 0 is the depot. */
export interface VrptwNode {
  x: number;
  y: number;
  demand: number;
  ready: number;
  due: number;
  service: number;
}

/** Builds an instance (and its distance matrix) from nodes, depot first. */
export function createInstance(
  name: string,
  nodes: readonly VrptwNode[],
  capacity: number,
  maxVehicles: number,
): VrptwInstance {
  if (nodes.length < 1) throw new RangeError('a VRPTW instance needs a depot');
  const size = nodes.length;
  const col = (f: (v: VrptwNode) => number) => Float64Array.from(nodes, f);
  const x = col((v) => v.x);
  const y = col((v) => v.y);
  const dist = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) dist[i * size + j] = Math.hypot(x[i] - x[j], y[i] - y[j]);
  }
  return {
    name,
    n: size - 1,
    capacity,
    maxVehicles,
    x,
    y,
    demand: col((v) => v.demand),
    ready: col((v) => v.ready),
    due: col((v) => v.due),
    service: col((v) => v.service),
    dist,
  };
}

/** Total travel distance of routes (customer lists, depot omitted). */
export function totalDistance(inst: VrptwInstance, routes: readonly (readonly number[])[]): number {
  const m = inst.n + 1;
  let total = 0;
  for (const r of routes) {
    let prev = 0;
    for (const c of r) {
      total += inst.dist[prev * m + c];
      prev = c;
    }
    if (r.length > 0) total += inst.dist[prev * m];
  }
  return total;
}

/** A lower bound on the number of vehicles: total demand over capacity. */
export function vehicleLowerBound(inst: VrptwInstance): number {
  let d = 0;
  for (let i = 1; i <= inst.n; i++) d += inst.demand[i];
  return Math.max(1, Math.ceil(d / inst.capacity - 1e-9));
}
