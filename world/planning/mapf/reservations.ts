/**
 * Who is where at each timestep, for replanning single agents around the rest
 * (the refinement's space-time A*). A table of `horizon` rows × cells, plus the
 * cells where agents rest at their goals forever after their last row. Paths
 * must be shorter than the horizon; the refinement never plans past it.
 */
const NONE = -1;

export class Reservations {
  /** occ[t * size + c]: agent at cell c at time t (t < horizon), or NONE. */
  private readonly occ: Int32Array;
  /** Agent resting at cell c at its goal from the end of its path on, or NONE. */
  private readonly rest: Int32Array;

  constructor(
    readonly size: number,
    readonly horizon: number,
  ) {
    this.occ = new Int32Array(size * horizon).fill(NONE);
    this.rest = new Int32Array(size).fill(NONE);
  }

  /** Agent at cell c at time t (resting agents stay forever), or -1. */
  at(t: number, c: number): number {
    return t < this.horizon ? this.occ[t * this.size + c] : this.rest[c];
  }

  add(agent: number, path: readonly number[]): void {
    if (path.length > this.horizon) throw new RangeError(`path of ${path.length} steps exceeds the horizon ${this.horizon}`);
    const { occ, size } = this;
    const last = path[path.length - 1];
    for (let t = 0; t < this.horizon; t++) occ[t * size + (t < path.length ? path[t] : last)] = agent;
    this.rest[last] = agent;
  }

  remove(agent: number, path: readonly number[]): void {
    const { occ, size } = this;
    const last = path[path.length - 1];
    for (let t = 0; t < this.horizon; t++) {
      const k = t * size + (t < path.length ? path[t] : last);
      if (occ[k] === agent) occ[k] = NONE;
    }
    if (this.rest[last] === agent) this.rest[last] = NONE;
  }

  /** Last time < horizon at which any agent is at c; Infinity if one rests there; -1 if none. */
  lastVisit(c: number): number {
    if (this.rest[c] !== NONE) return Number.POSITIVE_INFINITY;
    for (let t = this.horizon - 1; t >= 0; t--) if (this.occ[t * this.size + c] !== NONE) return t;
    return -1;
  }
}
