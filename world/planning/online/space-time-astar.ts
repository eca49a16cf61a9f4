import type { Grid } from '../grid.js';
import type { ReservationTable } from './reservations.js';

export interface SearchLimits {
  /** Steps after the start beyond which the search gives up (the planning horizon). */
  maxSteps: number;
  /** Nodes expanded before the search gives up. */
  maxExpansions: number;
}

export interface SearchResult {
  /** One cell per step from the start step, ending on the goal; undefined when none was found. */
  path?: number[];
  expansions: number;
}

/** Binary min-heap of node ids ordered by (f, deeper first, id). */
class NodeHeap {
  readonly ids: number[] = [];
  constructor(
    private readonly f: number[],
    private readonly t: number[],
  ) {}
  get size(): number {
    return this.ids.length;
  }
  private less(a: number, b: number): boolean {
    const { f, t } = this;
    return f[a] !== f[b] ? f[a] < f[b] : t[a] !== t[b] ? t[a] > t[b] : a < b;
  }
  push(id: number): void {
    const h = this.ids;
    let i = h.push(id) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): number {
    const h = this.ids;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const buffers = (() => {
  const f: number[] = [];
  const time: number[] = [];
  return { cell: [] as number[], time, f, parent: [] as number[], seen: new Set<number>(), heap: new NodeHeap(f, time) };
})();

/**
 * Space-time A* for one robot against the reservation table: states are
 * (cell, step), actions are the four moves and waiting, each one step. It
 * reaches `goal` at a step ≥ `goalFrom` (from which the robot can stay
 * there for good) at the earliest. `h` is a consistent lower bound of the
 * grid distance to the goal (-1: unreachable); with the exact static grid
 * distance, the search goes straight to the goal when nobody is in the way. Ties go to the
 * deeper node, then to the earlier one, so the result is deterministic.
 */
export function spaceTimeAStar(
  grid: Grid,
  table: ReservationTable,
  robot: number,
  start: number,
  s: number,
  goal: number,
  goalFrom: number,
  h: (cell: number) => number,
  limits: SearchLimits,
): SearchResult {
  if (h(start) < 0) return { expansions: 0 };
  const size = grid.size;
  // The search is not re-entrant: its buffers are reused from one search to the next (less garbage).
  const { cell, time, f, parent, seen, heap } = buffers;
  cell.length = time.length = f.length = parent.length = heap.ids.length = 0;
  seen.clear();
  const add = (c: number, t: number, from: number, hc: number) => {
    const id = cell.length;
    cell.push(c);
    time.push(t);
    f.push(t - s + hc);
    parent.push(from);
    heap.push(id);
  };
  add(start, s, -1, h(start));
  seen.add(start);
  const nb: number[] = [];
  let expansions = 0;
  while (heap.size > 0 && expansions < limits.maxExpansions) {
    const n = heap.pop();
    expansions++;
    const c = cell[n];
    const t = time[n];
    if (c === goal && t >= goalFrom) {
      const path: number[] = [];
      for (let k = n; k >= 0; k = parent[k]) path.push(cell[k]);
      return { path: path.reverse(), expansions };
    }
    if (t - s >= limits.maxSteps) continue;
    const nt = t + 1;
    grid.neighbours(c, nb);
    nb.push(c);
    for (const nc of nb) {
      if (!table.free(robot, nc, nt)) continue;
      const hn = h(nc);
      // h is a lower bound: a node that cannot reach the goal within the horizon is not worth keeping.
      if (hn < 0 || nt - s + hn > limits.maxSteps) continue;
      const key = (nt - s) * size + nc;
      if (seen.has(key)) continue;
      seen.add(key);
      add(nc, nt, n, hn);
    }
  }
  return { expansions };
}
