/**
 * A solution in the genetic search: routes, their giant tour (routes ordered
 * by the polar angle of their barycentre around the depot), successor and
 * predecessor arrays for the broken-pairs distance, and its infeasibility
 * (capacity excess, time warp) measured with Vidal's time-warp rules.
 */
import type { VrptwInstance } from './instance.js';
import type { Penalties } from './local-search.js';
import { RouteSegment } from './segment.js';

export class Individual {
  readonly routes: number[][];
  readonly tour: Int32Array;
  readonly succ: Int32Array;
  readonly pred: Int32Array;
  distance = 0;
  excess = 0;
  timeWarp = 0;
  /** Biased fitness within its subpopulation (lower is better). */
  fitness = 0;
  /** Other individuals of the subpopulation by increasing broken-pairs distance. */
  readonly close: { d: number; ind: Individual }[] = [];

  constructor(inst: VrptwInstance, routes: number[][]) {
    const n = inst.n;
    const m = n + 1;
    const angle = (r: number[]) => {
      let sx = 0;
      let sy = 0;
      for (const c of r) {
        sx += inst.x[c];
        sy += inst.y[c];
      }
      return Math.atan2(sy / r.length - inst.y[0], sx / r.length - inst.x[0]);
    };
    this.routes = routes
      .filter((r) => r.length > 0)
      .map((r) => ({ r, a: angle(r) }))
      .sort((p, q) => p.a - q.a)
      .map((p) => p.r);
    this.tour = new Int32Array(n);
    this.succ = new Int32Array(m);
    this.pred = new Int32Array(m);
    let k = 0;
    const seg = new RouteSegment(inst);
    for (const r of this.routes) {
      seg.atDepot();
      // The segment carries the running total, so distance is summed leg by leg over all routes.
      seg.dist = this.distance;
      for (let p = 0; p <= r.length; p++) {
        const c = p < r.length ? r[p] : 0;
        if (c !== 0) {
          this.tour[k++] = c;
          this.pred[c] = seg.last;
          this.succ[c] = p + 1 < r.length ? r[p + 1] : 0;
        }
        seg.add(c);
      }
      this.distance = seg.dist;
      this.timeWarp += seg.tw;
      this.excess += Math.max(0, seg.load - inst.capacity);
    }
  }

  get vehicles(): number {
    return this.routes.length;
  }

  get feasible(): boolean {
    return this.excess < 1e-9 && this.timeWarp < 1e-9;
  }

  cost(pen: Penalties): number {
    return this.distance + pen.capacity * this.excess + pen.timeWarp * this.timeWarp;
  }

  /** Broken-pairs distance in [0, 1]: the share of customers whose neighbours differ. */
  brokenPairs(o: Individual): number {
    const n = this.tour.length;
    let diff = 0;
    for (let c = 1; c <= n; c++) {
      if (this.succ[c] !== o.succ[c] && this.succ[c] !== o.pred[c]) diff++;
      if (this.pred[c] === 0 && o.pred[c] !== 0 && o.succ[c] !== 0) diff++;
    }
    return diff / n;
  }

  /** Average distance to the k closest others. */
  avgClose(k: number): number {
    const t = Math.min(k, this.close.length);
    if (t === 0) return 1;
    let s = 0;
    for (let i = 0; i < t; i++) s += this.close[i].d;
    return s / t;
  }
}
