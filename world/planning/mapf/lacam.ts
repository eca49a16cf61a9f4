/**
 * LaCAM* (Okumura, "LaCAM: Search-Based Algorithm for Quick Multi-Agent
 * Pathfinding", AAAI 2023; "Improving LaCAM for Scalable Eventually Optimal
 * Multi-Agent Pathfinding", IJCAI 2023). A depth-first search over joint
 * configurations: each configuration is expanded one successor at a time, PIBT
 * proposing the successor under lazily added constraints, so the search is
 * complete while mostly following PIBT's fast greedy roll-out.
 *
 * LaCAM* keeps searching after the first solution: configurations are nodes of
 * a graph whose edges cost the number of agents not resting at their goal
 * (sum of loss); reaching a known configuration by a cheaper route rewires the
 * costs (Dijkstra) and nodes with f = g + h ≥ the best goal cost are pruned.
 * The search stops at the deadline, at an iteration budget, when the space is
 * exhausted (the solution is then optimal for sum of loss) or when the cost
 * meets the lower bound Σ BFS distances (then it is optimal for sum of costs).
 */
import { RandomStream } from '../../../sim/random/stream.js';
import type { Deadline } from './deadline.js';
import { type SearchGraph } from './graph.js';
import { ConfigGenerator } from './pibt.js';
import { type Config, ExploredTable, hashConfig, HighNode, type LowNode, newConfig } from './nodes.js';

/** LaCAM3's chance of restarting from the start configuration when a known one is reached: diversifies refinement. */
const RESTART_RATE = 0.001;

export interface LacamOptions {
  deadline: Deadline;
  /** Keep refining after the first solution (LaCAM*); false stops at the first one (LaCAM). */
  refine: boolean;
  /** Share (0…1) of the time left at the first solution that LaCAM* refinement may use. */
  refineShare: number;
  /** Stop after this many high-level iterations: a machine-independent budget. */
  maxIterations: number;
  /** Emulate swaps in PIBT (LaCAM2/3); helps in corridors. */
  swap: boolean;
  seed: number;
  /** Stop creating nodes past this estimate of node memory (bytes). */
  memoryLimitBytes: number;
}

export interface LacamOutcome {
  /** Configurations from start to goal, or null when none was found. */
  configs: Config[] | null;
  /** Sum of loss of the solution found (the search's own cost; sum of costs is computed from the paths). */
  cost: number;
  firstSolutionSeconds: number | null;
  iterations: number;
  nodes: number;
  stoppedBy: 'solved' | 'optimal' | 'deadline' | 'iterations' | 'memory' | 'exhausted';
}

export class Lacam {
  private readonly n: number;
  private readonly rng: RandomStream;
  private readonly generator: ConfigGenerator;
  private readonly explored = new ExploredTable();
  private readonly bytesPerNode: number;

  constructor(
    private readonly graph: SearchGraph,
    private readonly starts: readonly number[],
    private readonly goals: readonly number[],
    private readonly dist: readonly Int32Array[],
    private readonly options: LacamOptions,
  ) {
    this.n = starts.length;
    this.rng = new RandomStream('mapf/lacam', options.seed);
    this.generator = new ConfigGenerator(graph, dist, goals, this.rng, options.swap);
    this.bytesPerNode = 160 + this.n * ((graph.size <= 0xffff ? 2 : 4) + 4 + (this.n <= 0xffff ? 2 : 4));
  }

  run(): LacamOutcome {
    const { options, explored, n } = this;
    const start = newConfig(n, this.graph.size);
    start.set(this.starts);
    const init = this.node(start, null, 0);
    const lowerBound = init.h;
    explored.insert(init);
    const open: HighNode[] = [init];
    const scratch = newConfig(n, this.graph.size);
    let goal: HighNode | null = null;
    let deadline = options.deadline;
    let firstSolutionSeconds: number | null = null;
    let iterations = 0;
    let stoppedBy: LacamOutcome['stoppedBy'] = 'exhausted';
    for (;;) {
      if (goal && goal.g <= lowerBound) {
        stoppedBy = 'optimal';
        break;
      }
      if (open.length === 0) break;
      if (iterations >= options.maxIterations) {
        stoppedBy = 'iterations';
        break;
      }
      if (deadline.expired()) {
        stoppedBy = 'deadline';
        break;
      }
      if (explored.size * this.bytesPerNode > options.memoryLimitBytes) {
        stoppedBy = 'memory';
        break;
      }
      iterations++;
      const node = open[open.length - 1];
      if (node.treeEmpty || (goal && node.f >= goal.f)) {
        open.pop();
        node.dropTree();
        continue;
      }
      if (!goal && this.isGoal(node.config)) {
        goal = node;
        firstSolutionSeconds = options.deadline.elapsedSeconds();
        if (!options.refine) {
          stoppedBy = 'solved';
          break;
        }
        deadline = options.deadline.slice(options.refineShare);
        continue;
      }
      const low = node.popLow();
      this.expandLow(node, low);
      if (!this.generator.generate(node.config, node.order, low, scratch)) continue;
      const hash = hashConfig(scratch);
      const known = explored.find(scratch, hash);
      if (known) {
        this.rewire(node, known, goal, open);
        const again = this.rng.next() >= RESTART_RATE ? known : init;
        if (!goal || again.f < goal.f) open.push(again);
      } else {
        const fresh = this.node(scratch.slice(), node, node.g + this.edgeCost(node.config, scratch), hash);
        explored.insert(fresh);
        if (!goal || fresh.f < goal.f) open.push(fresh);
      }
    }
    return {
      configs: goal ? backtrack(goal) : null,
      cost: goal ? goal.g : -1,
      firstSolutionSeconds,
      iterations,
      nodes: explored.size,
      stoppedBy,
    };
  }

  private isGoal(c: Config): boolean {
    for (let i = 0; i < this.n; i++) if (c[i] !== this.goals[i]) return false;
    return true;
  }

  /** Sum of loss: agents that are not resting at their goal across the step each pay 1. */
  private edgeCost(from: Config, to: Config): number {
    let cost = 0;
    for (let i = 0; i < this.n; i++) if (from[i] !== this.goals[i] || to[i] !== this.goals[i]) cost++;
    return cost;
  }

  /** Adds one level to the constraint tree: the next agent in priority order, at each of its possible cells. */
  private expandLow(node: HighNode, low: LowNode): void {
    if (low.depth >= this.n) return;
    const who = node.order[low.depth];
    const v = node.config[who];
    const cells: number[] = [v];
    for (let e = this.graph.adjStart[v]; e < this.graph.adjStart[v + 1]; e++) cells.push(this.graph.adj[e]);
    for (let k = cells.length - 1; k > 0; k--) {
      const j = this.rng.int(k + 1);
      [cells[k], cells[j]] = [cells[j], cells[k]];
    }
    for (const where of cells) node.pushLow({ parent: low, depth: low.depth + 1, who, where });
  }

  /** LaCAM*: records the edge from → to and propagates any cheaper g through the known graph (Dijkstra with a FIFO). */
  private rewire(from: HighNode, to: HighNode, goal: HighNode | null, open: HighNode[]): void {
    if (!from.neighbours.includes(to)) from.neighbours.push(to);
    const queue: HighNode[] = [from];
    for (let head = 0; head < queue.length; head++) {
      const a = queue[head];
      for (const b of a.neighbours) {
        const g = a.g + this.edgeCost(a.config, b.config);
        if (g < b.g) {
          b.g = g;
          b.f = g + b.h;
          b.parent = a;
          queue.push(b);
          if (goal && b.f < goal.f) open.push(b);
        }
      }
    }
  }

  /** A new high-level node; PIBT priorities grow while an agent is away from its goal (LaCAM's dynamic priorities). */
  private node(config: Config, parent: HighNode | null, g: number, hash = hashConfig(config)): HighNode {
    const { n, dist } = this;
    let h = 0;
    const priorities = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const d = dist[i][config[i]];
      h += d;
      if (!parent) priorities[i] = d / n;
      else if (d !== 0) priorities[i] = parent.priorities[i] + 1;
      else priorities[i] = parent.priorities[i] - Math.trunc(parent.priorities[i]);
    }
    const order = n <= 0xffff ? new Uint16Array(n) : new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => priorities[b] - priorities[a] || a - b);
    return new HighNode(config, hash, parent, g, h, priorities, order);
  }
}

function backtrack(goal: HighNode): Config[] {
  const configs: Config[] = [];
  for (let node: HighNode | null = goal; node; node = node.parent) configs.push(node.config);
  return configs.reverse();
}
