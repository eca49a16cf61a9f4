import type { VrptwInstance } from './instance.js';

/**
 * A route segment under construction, with Vidal's time-warp data: duration,
 * time warp, earliest and latest start, load and distance. Appending a
 * customer is the one concatenation rule every part of the search shares
 * (evaluating a solution, Split, the local search's moves); a mutable object,
 * so the inner loops allocate nothing.
 */
export class RouteSegment {
  dur = 0;
  tw = 0;
  e = 0;
  l = 0;
  load = 0;
  dist = 0;
  /** The last node of the segment. */
  last = 0;

  // The instance's arrays, held directly: `add` runs in the search's innermost loops.
  private readonly m: number;
  private readonly distances: Float64Array;
  private readonly ready: Float64Array;
  private readonly due: Float64Array;
  private readonly service: Float64Array;
  private readonly demand: Float64Array;

  constructor(inst: VrptwInstance) {
    this.m = inst.n + 1;
    this.distances = inst.dist;
    this.ready = inst.ready;
    this.due = inst.due;
    this.service = inst.service;
    this.demand = inst.demand;
  }

  /** The segment that is only the depot. */
  atDepot(): void {
    this.set(0, 0, this.ready[0], this.due[0], 0, 0, 0);
  }

  set(dur: number, tw: number, e: number, l: number, load: number, dist: number, last: number): void {
    this.dur = dur;
    this.tw = tw;
    this.e = e;
    this.l = l;
    this.load = load;
    this.dist = dist;
    this.last = last;
  }

  /** Segment := segment ⊕ node c (a customer, or 0 to close at the depot). */
  add(c: number): void {
    const t = this.distances[this.last * this.m + c];
    const delta = this.dur - this.tw + t;
    const ready = this.ready[c];
    const due = this.due[c];
    const wt = Math.max(ready - delta - this.l, 0);
    const tw = Math.max(this.e + delta - due, 0);
    this.dur += this.service[c] + t + wt;
    this.tw += tw;
    this.e = Math.max(ready - delta, this.e) - wt;
    this.l = Math.min(due - delta, this.l) + tw;
    this.load += this.demand[c];
    this.dist += t;
    this.last = c;
  }

  /** Time warp the segment gains by driving back to the depot, without changing it. */
  timeWarpBack(): number {
    const delta = this.dur - this.tw + this.distances[this.last * this.m];
    return Math.max(this.e + delta - this.due[0], 0);
  }
}
