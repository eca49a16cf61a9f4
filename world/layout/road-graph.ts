/**
 * A road graph: its nodes are points with coordinates (a scenario's places
 * and junctions, an ERP export's locations), its edges the roads, both ways.
 * A road without a length is the straight line between its ends. Shortest
 * paths by Dijkstra, for truck routing; pairs with no road between them are
 * reported, not guessed. It lives in world/ because the layout measures
 * road distances with it; the ERP import (agents/supply/erp) uses it too.
 */

/** A point of the graph (metres). */
export interface RoadNode {
  id: string;
  x: number;
  y: number;
}

/** A road between two nodes, both ways. */
export interface RoadLink {
  from: string;
  to: string;
  /** m; the straight line between the ends when omitted. */
  length?: number;
  /** m/s, when the road has its own speed. */
  speed?: number;
}

export interface RoadEdge {
  to: string;
  /** m */
  length: number;
  /** m/s, when the road has its own speed. */
  speed?: number;
}

export interface RoadGraph {
  nodes: Map<string, { x: number; y: number }>;
  edges: Map<string, RoadEdge[]>;
}

export interface Route {
  /** m */
  length: number;
  /** s, at the given truck speed (roads with their own speed use it). */
  time: number;
  /** The locations passed, from the start to the end. */
  via: string[];
}

/** Builds the graph; roads naming unknown nodes are left out (the callers' checks report them). */
export function buildRoadGraph(points: readonly RoadNode[], roads: readonly RoadLink[]): RoadGraph {
  const nodes = new Map(points.map((l) => [l.id, { x: l.x, y: l.y }]));
  const edges = new Map<string, RoadEdge[]>([...nodes.keys()].map((id) => [id, []]));
  for (const r of roads) {
    const a = nodes.get(r.from);
    const b = nodes.get(r.to);
    if (!a || !b || r.from === r.to) continue;
    const length = r.length ?? Math.hypot(a.x - b.x, a.y - b.y);
    edges.get(r.from)!.push({ to: r.to, length, speed: r.speed });
    edges.get(r.to)!.push({ to: r.from, length, speed: r.speed });
  }
  return { nodes, edges };
}

/**
 * Shortest routes from one location to every location it can reach, by
 * length (`by: 'length'`) or by driving time at `speed` m/s (`by: 'time'`).
 */
export function shortestRoutes(g: RoadGraph, from: string, options: { speed?: number; by?: 'length' | 'time' } = {}): Map<string, Route> {
  const speed = options.speed ?? 15;
  const byTime = options.by === 'time';
  const best = new Map<string, { length: number; time: number; prev?: string }>();
  const done = new Set<string>();
  if (!g.nodes.has(from)) return new Map();
  best.set(from, { length: 0, time: 0 });
  const heap = new MinHeap();
  heap.push(0, from);
  for (let top = heap.pop(); top; top = heap.pop()) {
    const u = top.id;
    if (done.has(u)) continue;
    done.add(u);
    const bu = best.get(u)!;
    for (const e of g.edges.get(u) ?? []) {
      const length = bu.length + e.length;
      const time = bu.time + e.length / (e.speed ?? speed);
      const cost = byTime ? time : length;
      const bv = best.get(e.to);
      if (!bv || cost < (byTime ? bv.time : bv.length)) {
        best.set(e.to, { length, time, prev: u });
        heap.push(cost, e.to);
      }
    }
  }
  const routes = new Map<string, Route>();
  for (const [id, b] of best) {
    const via = [id];
    for (let p = b.prev; p !== undefined; p = best.get(p)!.prev) via.unshift(p);
    routes.set(id, { length: b.length, time: b.time, via });
  }
  return routes;
}

/**
 * Shortest-route lengths (m) between every two of `ids` (all locations
 * when omitted), and the pairs no road joins, each once.
 */
export function distanceMatrix(g: RoadGraph, ids: readonly string[] = [...g.nodes.keys()]): {
  distance: Map<string, Map<string, number>>;
  unreachable: [string, string][];
} {
  const distance = new Map<string, Map<string, number>>();
  const unreachable: [string, string][] = [];
  ids.forEach((a, i) => {
    const routes = shortestRoutes(g, a);
    distance.set(a, new Map(ids.filter((b) => routes.has(b)).map((b) => [b, routes.get(b)!.length])));
    for (const b of ids.slice(i + 1)) if (!routes.has(b)) unreachable.push([a, b]);
  });
  return { distance, unreachable };
}

/**
 * Pairs of `ids` no chain of roads joins, one per extra connected part: the
 * first id of the first part with the first id of each other part. Linear in
 * the graph's size (a search, no distances), for load-time checks.
 */
export function disconnectedPairs(g: RoadGraph, ids: readonly string[]): [string, string][] {
  const part = new Map<string, number>();
  let parts = 0;
  for (const start of g.nodes.keys()) {
    if (part.has(start)) continue;
    const stack = [start];
    part.set(start, parts);
    while (stack.length > 0) {
      for (const e of g.edges.get(stack.pop()!) ?? []) {
        if (part.has(e.to)) continue;
        part.set(e.to, parts);
        stack.push(e.to);
      }
    }
    parts++;
  }
  const first = new Map<number, string>();
  for (const id of ids) {
    const p = part.get(id);
    if (p !== undefined && !first.has(p)) first.set(p, id);
  }
  const [head, ...rest] = [...first.values()];
  return rest.map((id) => [head, id]);
}

/** A binary min-heap of (cost, id). */
class MinHeap {
  private readonly items: { cost: number; id: string }[] = [];

  push(cost: number, id: string): void {
    const a = this.items;
    a.push({ cost, id });
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p].cost <= a[i].cost) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): { cost: number; id: string } | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].cost < a[m].cost) m = l;
        if (r < a.length && a[r].cost < a[m].cost) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
}
