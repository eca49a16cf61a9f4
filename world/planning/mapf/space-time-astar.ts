/**
 * Space-time A* for one agent among agents whose paths are fixed (the
 * reservation table): the low-level planner of prioritized planning, used by
 * the LNS refinement. States are (cell, time); every step (move or wait) costs
 * 1, so a state's cost is its time and a state is queued at most once. The
 * agent may finish only once no other agent will ever enter its goal again.
 */
import type { SearchGraph } from './graph.js';
import type { Reservations } from './reservations.js';

const NONE = -1;

/** Binary min-heap of state ids keyed by numbers. */
class MinHeap {
  private keys: number[] = [];
  private ids: number[] = [];

  get length(): number {
    return this.ids.length;
  }

  clear(): void {
    this.keys.length = 0;
    this.ids.length = 0;
  }

  push(key: number, id: number): void {
    const { keys, ids } = this;
    let i = ids.length;
    keys.push(key);
    ids.push(id);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= key) break;
      keys[i] = keys[p];
      ids[i] = ids[p];
      i = p;
    }
    keys[i] = key;
    ids[i] = id;
  }

  pop(): number {
    const { keys, ids } = this;
    const top = ids[0];
    const key = keys.pop()!;
    const id = ids.pop()!;
    const n = ids.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1] < keys[c]) c++;
        if (keys[c] >= key) break;
        keys[i] = keys[c];
        ids[i] = ids[c];
        i = c;
      }
      keys[i] = key;
      ids[i] = id;
    }
    return top;
  }
}

export class SpaceTimeAStar {
  private readonly seen: Uint32Array;
  private readonly parent: Int32Array;
  private stamp = 0;
  private readonly heap = new MinHeap();

  constructor(
    private readonly graph: SearchGraph,
    private readonly horizon: number,
  ) {
    this.seen = new Uint32Array(graph.size * horizon);
    this.parent = new Int32Array(graph.size * horizon);
  }

  /**
   * A shortest path from `start` (time 0) to `goal` avoiding vertex and swap
   * conflicts with the table, arriving no later than `maxCost`, within
   * `maxExpansions` expanded states; null if none is found.
   */
  plan(start: number, goal: number, dist: Int32Array, table: Reservations, maxCost: number, maxExpansions: number): number[] | null {
    const { graph, seen, parent, heap, horizon } = this;
    const size = graph.size;
    const earliest = table.lastVisit(goal) + 1;
    if (!Number.isFinite(earliest) || Math.max(earliest, dist[start]) > maxCost) return null;
    if (++this.stamp === 0xffffffff) {
      seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const span = horizon + 1;
    heap.clear();
    // Key: f first, then later time first (deeper states break ties).
    heap.push(Math.max(dist[start], earliest) * span + horizon, start);
    seen[start] = stamp;
    parent[start] = NONE;
    let expansions = 0;
    while (heap.length > 0) {
      const id = heap.pop();
      const t = Math.floor(id / size);
      const c = id - t * size;
      if (c === goal && t >= earliest) return this.path(id, t);
      if (++expansions > maxExpansions) return null;
      const nt = t + 1;
      if (nt >= horizon) continue;
      const end = graph.adjStart[c + 1];
      for (let e = graph.adjStart[c] - 1; e < end; e++) {
        const v = e < graph.adjStart[c] ? c : graph.adj[e]; // first the wait, then the moves
        const nid = nt * size + v;
        if (seen[nid] === stamp) continue;
        const f = Math.max(nt + dist[v], earliest);
        if (f > maxCost || table.at(nt, v) !== NONE) continue;
        if (v !== c) {
          const j = table.at(t, v);
          if (j !== NONE && table.at(nt, c) === j) continue; // swap
        }
        seen[nid] = stamp;
        parent[nid] = id;
        heap.push(f * span + (horizon - nt), nid);
      }
    }
    return null;
  }

  private path(id: number, t: number): number[] {
    const size = this.graph.size;
    const cells = new Array<number>(t + 1);
    for (let k = id, s = t; k !== NONE; k = this.parent[k], s--) cells[s] = k - s * size;
    return cells;
  }
}
