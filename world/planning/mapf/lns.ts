/**
 * Large neighbourhood search refinement of a MAPF solution (MAPF-LNS, Li et
 * al. IJCAI 2021; the refiner of LaCAM3, Okumura AAMAS 2024): repeatedly take
 * a few agents out, replan them one by one in random order with space-time A*
 * around everyone else (prioritized planning), and keep the new paths when
 * their sum of costs is not worse. Neighbourhoods come from three heuristics
 * chosen by adaptive weights: agents blocking the most delayed agent, agents
 * crossing near a junction cell, and random agents.
 *
 * This is what lowers the sum of costs in practice: LaCAM*'s own refinement
 * converges slowly on hundreds of agents. Paths stay valid at every step.
 */
import type { RandomStream } from '../../../sim/random/stream.js';
import type { Deadline } from './deadline.js';
import type { SearchGraph } from './graph.js';
import { Reservations } from './reservations.js';
import { SpaceTimeAStar } from './space-time-astar.js';

export interface LnsOptions {
  deadline: Deadline;
  /** Machine-independent budget of neighbourhoods tried. */
  maxSteps: number;
  rng: RandomStream;
  /** Agents per neighbourhood (MAPF-LNS uses 8). */
  neighbourhood: number;
}

export interface LnsOutcome {
  paths: number[][];
  sumOfCosts: number;
  steps: number;
  improvements: number;
}

const HEURISTICS = 3;
/** ALNS reaction factor: how fast the weights follow recent gains. */
const REACTION = 0.01;

export class LnsRefiner {
  private readonly n: number;
  private readonly paths: number[][];
  private readonly table: Reservations;
  private readonly astar: SpaceTimeAStar;
  private readonly weights = new Float64Array(HEURISTICS).fill(1);
  private readonly tabu = new Set<number>();
  private readonly junctions: number[] = [];
  private readonly maxExpansions: number;
  private soc = 0;

  constructor(
    private readonly graph: SearchGraph,
    private readonly starts: readonly number[],
    private readonly goals: readonly number[],
    private readonly dist: readonly Int32Array[],
    initial: readonly number[][],
    private readonly options: LnsOptions,
  ) {
    this.n = starts.length;
    this.paths = initial.map((p) => [...p]);
    const longest = this.paths.reduce((m, p) => Math.max(m, p.length), 1);
    // Room for replanned paths to be somewhat longer than the longest initial one.
    const horizon = longest + Math.max(32, Math.ceil(longest / 2));
    this.table = new Reservations(graph.size, horizon);
    this.astar = new SpaceTimeAStar(graph, horizon);
    this.paths.forEach((p, i) => {
      this.table.add(i, p);
      this.soc += p.length - 1;
    });
    for (let c = 0; c < graph.size; c++) if (graph.degree[c] >= 3) this.junctions.push(c);
    // Generous enough for long detours, small enough that hopeless replans fail fast (measured on room and warehouse maps).
    this.maxExpansions = 2 * graph.size + 2_000;
  }

  run(lowerBound: number): LnsOutcome {
    const { options } = this;
    const k = Math.min(this.n, options.neighbourhood);
    let steps = 0;
    let improvements = 0;
    while (k > 0 && this.soc > lowerBound && steps < options.maxSteps && !options.deadline.expired()) {
      steps++;
      const h = this.pickHeuristic();
      const agents = h === 0 ? this.blockersOfDelayed(k) : h === 1 ? this.nearJunction(k) : this.randomAgents(k);
      const gain = this.replan(agents);
      if (gain > 0) improvements++;
      this.weights[h] = (1 - REACTION) * this.weights[h] + REACTION * Math.max(0, gain);
    }
    return { paths: this.paths, sumOfCosts: this.soc, steps, improvements };
  }

  /** Replans `agents`; keeps the new paths if not worse. Returns the gain in sum of costs (≥ 0), or -1 if rejected. */
  private replan(agents: number[]): number {
    const { table, paths } = this;
    const rng = this.options.rng;
    const oldCost = agents.reduce((s, a) => s + paths[a].length - 1, 0);
    for (const a of agents) table.remove(a, paths[a]);
    for (let i = agents.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [agents[i], agents[j]] = [agents[j], agents[i]];
    }
    let rest = agents.reduce((s, a) => s + this.dist[a][this.starts[a]], 0);
    let spent = 0;
    const fresh: number[][] = [];
    for (const a of agents) {
      rest -= this.dist[a][this.starts[a]];
      const p = this.astar.plan(this.starts[a], this.goals[a], this.dist[a], table, oldCost - spent - rest, this.maxExpansions);
      if (!p) break;
      table.add(a, p);
      fresh.push(p);
      spent += p.length - 1;
    }
    if (fresh.length === agents.length) {
      agents.forEach((a, i) => (paths[a] = fresh[i]));
      this.soc += spent - oldCost;
      return oldCost - spent;
    }
    fresh.forEach((p, i) => table.remove(agents[i], p));
    for (const a of agents) table.add(a, paths[a]);
    return -1;
  }

  private pickHeuristic(): number {
    let total = 0;
    for (const w of this.weights) total += w;
    let r = this.options.rng.next() * total;
    for (let h = 0; h < HEURISTICS; h++) {
      r -= this.weights[h];
      if (r < 0) return h;
    }
    return HEURISTICS - 1;
  }

  private delay(a: number): number {
    return this.paths[a].length - 1 - this.dist[a][this.starts[a]];
  }

  /** The most delayed agent not tried recently, plus agents met along its shortest-path walks. */
  private blockersOfDelayed(k: number): number[] {
    let pick = -1;
    for (let a = 0; a < this.n; a++) if (!this.tabu.has(a) && this.delay(a) > 0 && (pick < 0 || this.delay(a) > this.delay(pick))) pick = a;
    if (pick < 0) {
      this.tabu.clear();
      return this.randomAgents(k);
    }
    this.tabu.add(pick);
    const chosen = new Set<number>([pick]);
    const { graph, table, options } = this;
    const d = this.dist[pick];
    const path = this.paths[pick];
    for (let walk = 0; walk < 8 && chosen.size < k; walk++) {
      // From a random point of its path, walk greedily toward the goal and note who is in the way.
      let t = options.rng.int(path.length);
      let c = path[t];
      while (d[c] > 0 && chosen.size < k) {
        let next = -1;
        let ties = 0;
        for (let e = graph.adjStart[c]; e < graph.adjStart[c + 1]; e++) {
          const u = graph.adj[e];
          if (d[u] < d[c] && options.rng.int(++ties) === 0) next = u;
        }
        c = next;
        t++;
        for (const s of [t - 1, t]) {
          const who = table.at(s, c);
          if (who >= 0) chosen.add(who);
        }
      }
    }
    return this.fill(chosen, k);
  }

  /** Agents that pass through cells around a random junction. */
  private nearJunction(k: number): number[] {
    if (this.junctions.length === 0) return this.randomAgents(k);
    const { graph, table, options } = this;
    const chosen = new Set<number>();
    const queue = [this.junctions[options.rng.int(this.junctions.length)]];
    const visited = new Set<number>(queue);
    const horizon = Math.min(table.horizon, this.paths.reduce((m, p) => Math.max(m, p.length), 0));
    for (let head = 0; head < queue.length && head < 64 && chosen.size < k; head++) {
      const c = queue[head];
      for (let t = 0; t < horizon && chosen.size < k; t++) {
        const who = table.at(t, c);
        if (who >= 0) chosen.add(who);
      }
      for (let e = graph.adjStart[c]; e < graph.adjStart[c + 1]; e++) {
        const u = graph.adj[e];
        if (!visited.has(u)) {
          visited.add(u);
          queue.push(u);
        }
      }
    }
    return this.fill(chosen, k);
  }

  private randomAgents(k: number): number[] {
    return this.fill(new Set<number>(), k);
  }

  /** Tops a neighbourhood up with random agents. */
  private fill(chosen: Set<number>, k: number): number[] {
    while (chosen.size < k) chosen.add(this.options.rng.int(this.n));
    return [...chosen];
  }
}
