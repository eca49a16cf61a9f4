/**
 * PIBT (priority inheritance with backtracking, Okumura et al. 2022) as
 * LaCAM's configuration generator: given a configuration, a priority order and
 * a chain of constraints "agent i goes to v", it picks every other agent's next
 * cell greedily along its BFS distance, pushing lower-priority agents out of the
 * way (priority inheritance) and backtracking when a pushed agent is stuck.
 *
 * With `swap` on, it also emulates the swap operation of LaCAM2/LaCAM3 (Okumura
 * 2023): in corridors where two agents must pass each other, the one ahead
 * steps back and pulls the other, which plain PIBT cannot do.
 *
 * Vertex and swap conflicts are ruled out by construction; ties between cells
 * at the same distance are broken by a seeded stream, so results are
 * reproducible.
 */
import type { RandomStream } from '../../../sim/random/stream.js';
import type { SearchGraph } from './graph.js';
import type { Config, LowNode } from './nodes.js';

const NONE = -1;

export class ConfigGenerator {
  private readonly n: number;
  private readonly now: Int32Array;
  private readonly next: Int32Array;
  /** Agent at each cell in the current / next configuration, or NONE. */
  private readonly occNow: Int32Array;
  private readonly occNext: Int32Array;
  /** Candidate cells (≤ 4 neighbours + stay) and their sort keys, per agent: PIBT recursion keeps one list per agent alive. */
  private readonly cand: Int32Array;
  private readonly key: Float64Array;
  /** Second result of `exits` (kept in a field so the corridor walks allocate nothing). */
  private exitCell = NONE;

  constructor(
    private readonly graph: SearchGraph,
    private readonly dist: readonly Int32Array[],
    private readonly goals: readonly number[],
    private readonly rng: RandomStream,
    private readonly swap: boolean,
  ) {
    this.n = goals.length;
    this.now = new Int32Array(this.n).fill(NONE);
    this.next = new Int32Array(this.n).fill(NONE);
    this.occNow = new Int32Array(graph.size).fill(NONE);
    this.occNext = new Int32Array(graph.size).fill(NONE);
    this.cand = new Int32Array(this.n * 5);
    this.key = new Float64Array(this.n * 5);
  }

  /**
   * Writes into `out` a successor of `from` that satisfies the constraints of
   * `low` (and every agent's one-step move rules), or returns false.
   */
  generate(from: Config, order: ArrayLike<number>, low: LowNode, out: Config): boolean {
    const { n, now, next, occNow, occNext } = this;
    for (let a = 0; a < n; a++) {
      if (now[a] !== NONE) occNow[now[a]] = NONE;
      if (next[a] !== NONE) occNext[next[a]] = NONE;
    }
    for (let a = 0; a < n; a++) {
      now[a] = from[a];
      occNow[from[a]] = a;
      next[a] = NONE;
    }
    for (let c: LowNode | null = low; c && c.depth > 0; c = c.parent) {
      const i = c.who;
      const v = c.where;
      if (occNext[v] !== NONE) return false; // vertex conflict between constraints
      const mover = occNext[from[i]];
      if (mover !== NONE && mover === occNow[v]) return false; // swap between constraints
      next[i] = v;
      occNext[v] = i;
    }
    for (let k = 0; k < n; k++) {
      const a = order[k];
      if (next[a] === NONE && !this.pibt(a)) return false;
    }
    for (let a = 0; a < n; a++) out[a] = next[a];
    return true;
  }

  private pibt(i: number): boolean {
    const { graph, now, next, occNow, occNext, cand, key } = this;
    const v = now[i];
    const d = this.dist[i];
    const base = i * 5;
    let count = 0;
    for (let e = graph.adjStart[v]; e < graph.adjStart[v + 1]; e++) {
      const u = graph.adj[e];
      cand[base + count] = u;
      key[base + count] = d[u] + this.rng.next();
      count++;
    }
    cand[base + count] = v;
    key[base + count] = d[v] + this.rng.next();
    count++;
    // Insertion sort: at most five candidates.
    for (let x = base + 1; x < base + count; x++) {
      const c = cand[x];
      const kx = key[x];
      let y = x - 1;
      while (y >= base && key[y] > kx) {
        cand[y + 1] = cand[y];
        key[y + 1] = key[y];
        y--;
      }
      cand[y + 1] = c;
      key[y + 1] = kx;
    }
    let swapAgent = NONE;
    if (this.swap) {
      swapAgent = this.swapPossibleAndRequired(i);
      if (swapAgent !== NONE) cand.subarray(base, base + count).reverse();
    }
    for (let k = 0; k < count; k++) {
      const u = cand[base + k];
      if (occNext[u] !== NONE) continue; // vertex conflict
      const ak = occNow[u];
      if (ak !== NONE && next[ak] === v) continue; // swap conflict
      occNext[u] = i;
      next[i] = u;
      if (ak !== NONE && ak !== i && next[ak] === NONE && !this.pibt(ak)) continue; // pushed agent stuck
      if (k === 0 && swapAgent !== NONE) this.pull(swapAgent, v);
      return true;
    }
    occNext[v] = i;
    next[i] = v;
    return false;
  }

  /** The swap: agent j, still unplanned, follows into the cell v that the pulling agent just left. */
  private pull(j: number, v: number): void {
    const { next, occNext, now } = this;
    if (next[j] === NONE && occNext[now[j]] === NONE && occNext[v] === NONE) {
      next[j] = v;
      occNext[v] = j;
    }
  }

  private swapPossibleAndRequired(i: number): number {
    const { graph, now, next, occNow, cand } = this;
    const v = now[i];
    const best = cand[i * 5];
    if (best === v) return NONE; // wants to stay: nothing to pass
    // An agent in the way that must be passed (cases a and b of LaCAM3's swap).
    const aj = occNow[best];
    if (aj !== NONE && next[aj] === NONE && this.swapRequired(i, aj, v, now[aj]) && this.swapPossible(now[aj], v)) return aj;
    // Clearing a neighbour out of a dead end (case c).
    for (let e = graph.adjStart[v]; e < graph.adjStart[v + 1]; e++) {
      const ak = occNow[graph.adj[e]];
      if (ak === NONE || best === now[ak]) continue;
      if (this.swapRequired(ak, i, v, best) && this.swapPossible(best, v)) return ak;
    }
    return NONE;
  }

  /**
   * Free ways out of `puller` other than back to `pusher`, ignoring dead ends
   * held by agents at their goals; one of them is left in `exitCell`.
   */
  private exits(pusher: number, puller: number): number {
    const { graph, occNow, goals } = this;
    let count = graph.degree[puller];
    let last = NONE;
    for (let e = graph.adjStart[puller]; e < graph.adjStart[puller + 1]; e++) {
      const u = graph.adj[e];
      const a = occNow[u];
      if (u === pusher || (graph.degree[u] === 1 && a !== NONE && goals[a] === u)) count--;
      else last = u;
    }
    this.exitCell = last;
    return count;
  }

  /** Simulates pushing along a corridor: must the pusher and the puller trade places? */
  private swapRequired(pusher: number, puller: number, pusherCell: number, pullerCell: number): boolean {
    const dp = this.dist[pusher];
    let vPusher = pusherCell;
    let vPuller = pullerCell;
    while (dp[vPuller] < dp[vPusher]) {
      const count = this.exits(vPusher, vPuller);
      if (count >= 2) return false; // room to pass without a swap
      if (count <= 0) break;
      vPusher = vPuller;
      vPuller = this.exitCell;
    }
    const dq = this.dist[puller];
    return dq[vPusher] < dq[vPuller] && (dp[vPusher] === 0 || dp[vPuller] < dp[vPusher]);
  }

  /** Simulates pulling back along a corridor: is there a branch where the two can pass? */
  private swapPossible(pusherCell: number, pullerCell: number): boolean {
    let vPusher = pusherCell;
    let vPuller = pullerCell;
    while (vPuller !== pusherCell) {
      const count = this.exits(vPusher, vPuller);
      if (count >= 2) return true;
      if (count <= 0) return false;
      vPusher = vPuller;
      vPuller = this.exitCell;
    }
    return false;
  }
}
