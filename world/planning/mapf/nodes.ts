/**
 * LaCAM's two kinds of search node (Okumura, AAAI 2023).
 *
 * A high-level node is a configuration (one cell per agent). It keeps a lazily
 * grown tree of low-level nodes: each low-level node is a partial set of
 * constraints "agent `who` goes to `where`", and PIBT fills in the other agents.
 * Low-level nodes share their prefix through `parent`, so a constraint chain of
 * depth d costs d small objects once, not d² numbers.
 */

/** One cell per agent; 16-bit cells when the grid allows it, to halve memory per node. */
export type Config = Uint16Array | Uint32Array;

export function newConfig(agents: number, cells: number): Config {
  return cells <= 0xffff ? new Uint16Array(agents) : new Uint32Array(agents);
}

export interface LowNode {
  readonly parent: LowNode | null;
  /** Number of constraints in the chain (0 for the root: no constraint). */
  readonly depth: number;
  readonly who: number;
  readonly where: number;
}

export const LOW_ROOT: LowNode = { parent: null, depth: 0, who: -1, where: -1 };

export class HighNode {
  /** Neighbours in the configuration graph (successors found so far), for LaCAM*'s cost rewiring. */
  readonly neighbours: HighNode[] = [];
  f: number;
  /** Unexpanded low-level nodes, breadth-first; null once exhausted or pruned (frees memory). */
  private tree: LowNode[] | null = [LOW_ROOT];
  private treeHead = 0;
  /** Next node with the same hash in the explored table. */
  nextInBucket: HighNode | null = null;

  constructor(
    readonly config: Config,
    readonly hash: number,
    public parent: HighNode | null,
    /** Cost from the start configuration (sum of loss). */
    public g: number,
    /** Σ BFS distance to goal: admissible for sum of loss. */
    readonly h: number,
    /** PIBT priorities (higher plans first), carried from the parent as in LaCAM. */
    readonly priorities: Float32Array,
    /** Agents sorted by decreasing priority: the order of PIBT and of the constraint tree. */
    readonly order: Uint16Array | Uint32Array,
  ) {
    this.f = g + h;
    if (parent) parent.neighbours.push(this);
  }

  get treeEmpty(): boolean {
    return this.tree === null || this.treeHead >= this.tree.length;
  }

  popLow(): LowNode {
    const tree = this.tree!;
    const low = tree[this.treeHead++];
    // Compact now and then so a long-lived node does not keep its whole history.
    if (this.treeHead > 64 && this.treeHead * 2 > tree.length) {
      tree.splice(0, this.treeHead);
      this.treeHead = 0;
    }
    return low;
  }

  pushLow(low: LowNode): void {
    this.tree?.push(low);
  }

  /** Drops the low-level tree of a node that will not be expanded again. */
  dropTree(): void {
    this.tree = null;
  }
}

/** FNV-1a style hash of a configuration. */
export function hashConfig(c: Config): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < c.length; i++) h = Math.imul(h ^ c[i], 0x01000193);
  return h >>> 0;
}

function sameConfig(a: Config, b: Config): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The explored set: configuration → node, chained buckets keyed by hash. */
export class ExploredTable {
  private readonly buckets = new Map<number, HighNode>();
  size = 0;

  find(config: Config, hash: number): HighNode | null {
    for (let n = this.buckets.get(hash) ?? null; n; n = n.nextInBucket) if (sameConfig(n.config, config)) return n;
    return null;
  }

  insert(node: HighNode): void {
    node.nextInBucket = this.buckets.get(node.hash) ?? null;
    this.buckets.set(node.hash, node);
    this.size++;
  }
}
