/**
 * Split (Prins 2004; Vidal's penalised variant): cuts a giant tour (all
 * customers in one order) into routes optimally for the penalised cost
 * (distance + capacity and time-warp penalties), by a shortest path over
 * the tour. With a fleet limit the shortest path is layered by route count.
 */
import type { VrptwInstance } from './instance.js';
import type { Penalties } from './local-search.js';
import { RouteSegment } from './segment.js';

export class Splitter {
  private readonly cost: Float64Array;
  private readonly pot: Float64Array;
  private readonly pred: Int32Array;
  private readonly segment: RouteSegment;

  constructor(private readonly inst: VrptwInstance) {
    const n = inst.n;
    this.segment = new RouteSegment(inst);
    this.cost = new Float64Array(n * (n + 1));
    this.pot = new Float64Array(n + 1);
    this.pred = new Int32Array(n + 1);
  }

  /** Routes (customer lists) of the best split of `tour` with at most `fleet` routes. */
  split(tour: ArrayLike<number>, fleet: number, pen: Penalties): number[][] {
    const { inst } = this;
    const n = inst.n;
    const m = n + 1;
    const d = inst.dist;
    const cost = this.cost;
    // cost[i*m + j]: penalised cost of the route serving tour[i..j-1] (O(n²) concatenations).
    const seg = this.segment;
    for (let i = 0; i < n; i++) {
      seg.atDepot();
      for (let j = i; j < n; j++) {
        const c = tour[j];
        seg.add(c);
        // Closed at the depot.
        const excess = seg.load - inst.capacity;
        cost[i * m + j + 1] = seg.dist + d[c * m] + (excess > 0 ? pen.capacity * excess : 0) + pen.timeWarp * (seg.tw + seg.timeWarpBack());
      }
    }
    // Unlimited fleet first.
    const pot = this.pot;
    const pred = this.pred;
    pot.fill(Infinity);
    pot[0] = 0;
    for (let i = 0; i < n; i++) {
      const base = pot[i];
      for (let j = i + 1; j <= n; j++) {
        const c = base + cost[i * m + j];
        if (c < pot[j]) {
          pot[j] = c;
          pred[j] = i;
        }
      }
    }
    let cuts: number[] = [];
    for (let j = n; j > 0; j = pred[j]) cuts.push(pred[j]);
    if (cuts.length > fleet) cuts = this.limited(fleet);
    cuts.reverse();
    const routes: number[][] = [];
    for (let k = 0; k < cuts.length; k++) {
      const end = k + 1 < cuts.length ? cuts[k + 1] : n;
      const r: number[] = [];
      for (let p = cuts[k]; p < end; p++) r.push(tour[p]);
      routes.push(r);
    }
    return routes;
  }

  /** Layered shortest path with at most `fleet` routes; returns route start indices, last first. */
  private limited(fleet: number): number[] {
    const n = this.inst.n;
    const m = n + 1;
    const cost = this.cost;
    const layers = Math.max(1, fleet);
    const pot = new Float64Array((layers + 1) * m).fill(Infinity);
    const pred = new Int32Array((layers + 1) * m);
    pot[0] = 0;
    for (let k = 0; k < layers; k++) {
      for (let i = k; i < n; i++) {
        const base = pot[k * m + i];
        if (base === Infinity) continue;
        for (let j = i + 1; j <= n; j++) {
          const c = base + cost[i * m + j];
          const at = (k + 1) * m + j;
          if (c < pot[at]) {
            pot[at] = c;
            pred[at] = i;
          }
        }
      }
    }
    let bestK = 1;
    for (let k = 1; k <= layers; k++) if (pot[k * m + n] < pot[bestK * m + n]) bestK = k;
    const cuts: number[] = [];
    for (let k = bestK, j = n; k > 0; k--) {
      const i = pred[k * m + j];
      cuts.push(i);
      j = i;
    }
    return cuts;
  }
}
