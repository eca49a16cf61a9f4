/**
 * The grid as the MAPF solver's inner loops want it: neighbour lists in flat
 * typed arrays (compressed sparse rows) and one BFS distance table per agent.
 * Agents with the same goal share a table.
 */
import type { Grid } from '../grid.js';

export class SearchGraph {
  /** Neighbours of cell c are `adj[adjStart[c]] … adj[adjStart[c + 1] - 1]`, in Grid's fixed order. */
  readonly adjStart: Int32Array;
  readonly adj: Int32Array;
  /** Number of free neighbours of each cell. */
  readonly degree: Uint8Array;

  constructor(readonly grid: Grid) {
    const size = grid.size;
    this.adjStart = new Int32Array(size + 1);
    this.degree = new Uint8Array(size);
    const lists: number[] = [];
    const nb: number[] = [];
    for (let c = 0; c < size; c++) {
      this.adjStart[c] = lists.length;
      if (!grid.freeIndex(c)) continue;
      grid.neighbours(c, nb);
      this.degree[c] = nb.length;
      for (const n of nb) lists.push(n);
    }
    this.adjStart[size] = lists.length;
    this.adj = Int32Array.from(lists);
  }

  get size(): number {
    return this.grid.size;
  }
}

/** BFS distance (moves) from every cell to each agent's goal; -1 where unreachable. */
export function distanceTables(grid: Grid, goals: readonly number[]): Int32Array[] {
  const byGoal = new Map<number, Int32Array>();
  return goals.map((g) => {
    let d = byGoal.get(g);
    if (!d) {
      d = grid.distancesTo(g);
      byGoal.set(g, d);
    }
    return d;
  });
}

/** Σ single-agent BFS distances: a lower bound on the sum of costs (-1 if some goal is unreachable). */
export function sumOfDistances(dist: readonly Int32Array[], starts: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < starts.length; i++) {
    const d = dist[i][starts[i]];
    if (d < 0) return -1;
    s += d;
  }
  return s;
}
