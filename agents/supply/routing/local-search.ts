/**
 * Granular local search for the VRPTW with Vidal's time-warp penalties
 * (Vidal et al. 2013). Every route keeps forward (depot → position) and
 * backward (position → depot) segment data: duration, time warp, earliest and
 * latest start, load and distance. A move's new routes are concatenations of
 * a prefix, a few nodes and a suffix, so each is evaluated in O(1) (intra-route
 * moves in O(route length)). Moves: relocate of 1 or 2 nodes (also reversed),
 * swaps 1-1, 2-1, 2-2, 2-opt* (tail exchange), intra-route 2-opt, and moves
 * into an empty route while the fleet allows. Penalised cost = distance +
 * capacity penalty × excess load + time-warp penalty × time warp.
 */
import type { VrptwInstance } from './instance.js';
import type { Rng } from './rng.js';

export interface Penalties {
  capacity: number;
  timeWarp: number;
}

/** An improving move must gain more than this (avoids cycling on rounding). */
const MIN_GAIN = 1e-7;

export class LocalSearch {
  private readonly m: number;
  private readonly w: number;
  private readonly seq: Int32Array[];
  private readonly len: Int32Array;
  private readonly routeOf: Int32Array;
  private readonly posOf: Int32Array;
  private readonly cost: Float64Array;
  private readonly lastMod: Int32Array;
  private readonly lastTested: Int32Array;
  // Forward (prefix) and backward (suffix) segment data, flat [route * w + position].
  private readonly fDur: Float64Array;
  private readonly fTw: Float64Array;
  private readonly fE: Float64Array;
  private readonly fL: Float64Array;
  private readonly fLoad: Float64Array;
  private readonly fDist: Float64Array;
  private readonly bDur: Float64Array;
  private readonly bTw: Float64Array;
  private readonly bE: Float64Array;
  private readonly bL: Float64Array;
  private readonly bLoad: Float64Array;
  private readonly bDist: Float64Array;
  // The accumulator: the segment being built by start/add.
  private aDur = 0;
  private aTw = 0;
  private aE = 0;
  private aL = 0;
  private aLoad = 0;
  private aDist = 0;
  private aLast = 0;
  private slots = 0;
  private fleet = 0;
  private moves = 0;
  private pCap = 1;
  private pTw = 1;
  private readonly order: Int32Array;
  private readonly remCost: Float64Array;
  private readonly remStamp: Int32Array;
  private readonly dist: Float64Array;
  private readonly ready: Float64Array;
  private readonly due: Float64Array;
  private readonly service: Float64Array;
  private readonly demand: Float64Array;
  private readonly nb: Int32Array[];

  constructor(
    private readonly inst: VrptwInstance,
    neighbours: readonly Int32Array[],
    private readonly rng: Rng,
  ) {
    const n = inst.n;
    this.m = n + 1;
    this.w = n + 2;
    const slots = n;
    this.seq = Array.from({ length: slots }, () => new Int32Array(n + 2));
    this.len = new Int32Array(slots);
    this.routeOf = new Int32Array(n + 1);
    this.posOf = new Int32Array(n + 1);
    this.cost = new Float64Array(slots);
    this.lastMod = new Int32Array(slots);
    this.lastTested = new Int32Array(n + 1);
    const f = () => new Float64Array(slots * (n + 2));
    this.fDur = f();
    this.fTw = f();
    this.fE = f();
    this.fL = f();
    this.fLoad = f();
    this.fDist = f();
    this.bDur = f();
    this.bTw = f();
    this.bE = f();
    this.bL = f();
    this.bLoad = f();
    this.bDist = f();
    this.dist = inst.dist;
    this.ready = inst.ready;
    this.due = inst.due;
    this.service = inst.service;
    this.demand = inst.demand;
    this.remCost = new Float64Array(2 * (n + 1));
    this.remStamp = new Int32Array(2 * (n + 1));
    this.order = Int32Array.from({ length: n }, (_, i) => i + 1);
    this.nb = neighbours.map((a) => Int32Array.from(a));
  }

  /**
   * Improves `routes` (customer lists) until no move of the neighbourhood
   * improves the penalised cost; at most `fleet` non-empty routes unless the
   * input already has more. Returns the routes, empty ones dropped.
   */
  run(routes: readonly (readonly number[])[], fleet: number, pen: Penalties): number[][] {
    this.pCap = pen.capacity;
    this.pTw = pen.timeWarp;
    this.fleet = fleet;
    this.slots = Math.min(this.inst.n, Math.max(fleet, routes.length));
    this.moves = 0;
    for (let r = 0; r < this.slots; r++) {
      const src = r < routes.length ? routes[r] : [];
      this.write(r, src);
      this.lastMod[r] = 0;
    }
    this.lastTested.fill(-1);
    this.remStamp.fill(0);
    this.rng.shuffle(this.order);
    for (let u = 1; u <= this.inst.n; u++) this.rng.shuffle(this.nb[u]);
    let loop = 0;
    for (let done = false; !done; loop++) {
      done = loop > 0;
      for (let k = 0; k < this.order.length; k++) {
        const u = this.order[k];
        const lastTest = this.lastTested[u];
        this.lastTested[u] = this.moves;
        const nbu = this.nb[u];
        for (let j = 0; j < nbu.length; j++) {
          const v = nbu[j];
          if (loop > 0 && Math.max(this.lastMod[this.routeOf[u]], this.lastMod[this.routeOf[v]]) <= lastTest) continue;
          if (this.tryMoves(u, v)) done = false;
        }
        if (this.tryEmptyRoute(u)) done = false;
      }
      if (loop > 1000) break;
    }
    const out: number[][] = [];
    for (let r = 0; r < this.slots; r++) {
      if (this.len[r] > 0) out.push(Array.from(this.seq[r].subarray(1, this.len[r] + 1)));
    }
    return out;
  }

  /** Penalised cost of a route given its load, time warp and distance. */
  private penalised(dist: number, load: number, tw: number): number {
    const excess = load - this.inst.capacity;
    return dist + (excess > 0 ? this.pCap * excess : 0) + this.pTw * tw;
  }

  /** Replaces route r's customers and recomputes its segment data. */
  private write(r: number, customers: ArrayLike<number>): void {
    const s = this.seq[r];
    const len = customers.length;
    s[0] = 0;
    for (let i = 0; i < len; i++) s[i + 1] = customers[i];
    s[len + 1] = 0;
    this.len[r] = len;
    this.update(r);
  }

  private update(r: number): void {
    const { inst } = this;
    const s = this.seq[r];
    const len = this.len[r];
    const base = r * this.w;
    const m = this.m;
    const d = inst.dist;
    // Forward.
    this.fDur[base] = 0;
    this.fTw[base] = 0;
    this.fE[base] = inst.ready[0];
    this.fL[base] = inst.due[0];
    this.fLoad[base] = 0;
    this.fDist[base] = 0;
    for (let p = 1; p <= len + 1; p++) {
      const c = s[p];
      const k = base + p;
      this.routeOf[c] = r;
      this.posOf[c] = p;
      const t = d[s[p - 1] * m + c];
      const delta = this.fDur[k - 1] - this.fTw[k - 1] + t;
      const wt = Math.max(inst.ready[c] - delta - this.fL[k - 1], 0);
      const tw = Math.max(this.fE[k - 1] + delta - inst.due[c], 0);
      this.fDur[k] = this.fDur[k - 1] + inst.service[c] + t + wt;
      this.fTw[k] = this.fTw[k - 1] + tw;
      this.fE[k] = Math.max(inst.ready[c] - delta, this.fE[k - 1]) - wt;
      this.fL[k] = Math.min(inst.due[c] - delta, this.fL[k - 1]) + tw;
      this.fLoad[k] = this.fLoad[k - 1] + inst.demand[c];
      this.fDist[k] = this.fDist[k - 1] + t;
    }
    // Backward: node s[p] ⊕ suffix(p+1).
    const e = base + len + 1;
    this.bDur[e] = 0;
    this.bTw[e] = 0;
    this.bE[e] = inst.ready[0];
    this.bL[e] = inst.due[0];
    this.bLoad[e] = 0;
    this.bDist[e] = 0;
    for (let p = len; p >= 0; p--) {
      const c = s[p];
      const k = base + p;
      const t = d[c * m + s[p + 1]];
      const delta = inst.service[c] + t;
      const wt = Math.max(this.bE[k + 1] - delta - inst.due[c], 0);
      const tw = Math.max(inst.ready[c] + delta - this.bL[k + 1], 0);
      this.bDur[k] = inst.service[c] + this.bDur[k + 1] + t + wt;
      this.bTw[k] = this.bTw[k + 1] + tw;
      this.bE[k] = Math.max(this.bE[k + 1] - delta, inst.ready[c]) - wt;
      this.bL[k] = Math.min(this.bL[k + 1] - delta, inst.due[c]) + tw;
      this.bLoad[k] = this.bLoad[k + 1] + inst.demand[c];
      this.bDist[k] = this.bDist[k + 1] + t;
    }
    this.routeOf[0] = -1;
    const k = base + len + 1;
    this.cost[r] = len === 0 ? 0 : this.penalised(this.fDist[k], this.fLoad[k], this.fTw[k]);
  }

  /** Accumulator := prefix of route r up to position p. */
  private start(r: number, p: number): void {
    const k = r * this.w + p;
    this.aDur = this.fDur[k];
    this.aTw = this.fTw[k];
    this.aE = this.fE[k];
    this.aL = this.fL[k];
    this.aLoad = this.fLoad[k];
    this.aDist = this.fDist[k];
    this.aLast = this.seq[r][p];
  }

  /**
   * Accumulator := accumulator ⊕ customer c. The rule of `RouteSegment.add`,
   * kept inline on this object: it is the search's innermost step, and going
   * through a second object measured slower here.
   */
  private add(c: number): void {
    const t = this.dist[this.aLast * this.m + c];
    const delta = this.aDur - this.aTw + t;
    const ready = this.ready[c];
    const due = this.due[c];
    const wt = Math.max(ready - delta - this.aL, 0);
    const tw = Math.max(this.aE + delta - due, 0);
    this.aDur += this.service[c] + t + wt;
    this.aTw += tw;
    this.aE = Math.max(ready - delta, this.aE) - wt;
    this.aL = Math.min(due - delta, this.aL) + tw;
    this.aLoad += this.demand[c];
    this.aDist += t;
    this.aLast = c;
  }

  /** Penalised cost of accumulator ⊕ suffix of route r from position p. */
  private finish(r: number, p: number): number {
    const k = r * this.w + p;
    const t = this.dist[this.aLast * this.m + this.seq[r][p]];
    const delta = this.aDur - this.aTw + t;
    const tw = Math.max(this.aE + delta - this.bL[k], 0);
    return this.penalised(this.aDist + this.bDist[k] + t, this.aLoad + this.bLoad[k], this.aTw + this.bTw[k] + tw);
  }

  /**
   * Tries the moves of the pair (u, v) in turn; applies the first improving
   * one. A move is evaluated only if its distance change minus the routes'
   * current penalties is negative (new penalties are never below zero).
   */
  private tryMoves(u: number, v: number): boolean {
    const ru = this.routeOf[u];
    const rv = this.routeOf[v];
    if (ru === rv) return this.tryIntra(u, v, ru);
    const d = this.dist;
    const m = this.m;
    const pu = this.posOf[u];
    const pv = this.posOf[v];
    const su = this.seq[ru];
    const sv = this.seq[rv];
    const up = su[pu - 1];
    const x = su[pu + 1];
    const vp = sv[pv - 1];
    const y = sv[pv + 1];
    const base = this.cost[ru] + this.cost[rv];
    const slack = this.penalty(ru) + this.penalty(rv) - MIN_GAIN;
    const dUp = d[up * m + u];
    const dUx = d[u * m + x];
    const dVy = d[v * m + y];
    const dVp = d[vp * m + v];
    // Relocates: route U without u (or u, x) is exact; inserting never lowers
    // route V's penalties, so its distance change bounds its cost change.
    const removeU = d[up * m + x] - dUp - dUx;
    if (removeU + d[v * m + u] + d[u * m + y] - dVy < slack) {
      const gain = this.removal(u, 1) - this.cost[ru];
      if (gain + d[v * m + u] + d[u * m + y] - dVy < -MIN_GAIN) {
        this.start(rv, pv);
        this.add(u);
        if (this.removal(u, 1) + this.finish(rv, pv + 1) < base - MIN_GAIN) return this.applyRelocate(u, 1, false, rv, pv);
      }
    }
    if (removeU + d[vp * m + u] + d[u * m + v] - dVp < slack) {
      const gain = this.removal(u, 1) - this.cost[ru];
      if (gain + d[vp * m + u] + d[u * m + v] - dVp < -MIN_GAIN) {
        this.start(rv, pv - 1);
        this.add(u);
        if (this.removal(u, 1) + this.finish(rv, pv) < base - MIN_GAIN) return this.applyRelocate(u, 1, false, rv, pv - 1);
      }
    }
    if (x !== 0) {
      const x2 = su[pu + 2];
      const dXx2 = d[x * m + x2];
      const remove2 = d[up * m + x2] - dUp - dXx2;
      // Relocate (u, x) after v, and reversed (x, u).
      if (remove2 + d[v * m + u] + d[x * m + y] - dVy < slack && this.removal(u, 2) - this.cost[ru] + d[v * m + u] + d[x * m + y] + d[u * m + x] - dVy < -MIN_GAIN) {
        this.start(rv, pv);
        this.add(u);
        this.add(x);
        if (this.removal(u, 2) + this.finish(rv, pv + 1) < base - MIN_GAIN) return this.applyRelocate(u, 2, false, rv, pv);
      }
      if (remove2 + d[v * m + x] + d[u * m + y] - dVy < slack && this.removal(u, 2) - this.cost[ru] + d[v * m + x] + d[u * m + y] + d[u * m + x] - dVy < -MIN_GAIN) {
        this.start(rv, pv);
        this.add(x);
        this.add(u);
        if (this.removal(u, 2) + this.finish(rv, pv + 1) < base - MIN_GAIN) return this.applyRelocate(u, 2, true, rv, pv);
      }
      // Swap (u, x) with v.
      if (d[up * m + v] + d[v * m + x2] - dUp - dXx2 + d[vp * m + u] + d[x * m + y] - dVp - dVy < slack) {
        this.start(ru, pu - 1);
        this.add(v);
        const a = this.finish(ru, pu + 2);
        this.start(rv, pv - 1);
        this.add(u);
        this.add(x);
        if (a + this.finish(rv, pv + 1) < base - MIN_GAIN) return this.applySwap(ru, pu, 2, rv, pv, 1);
      }
      if (y !== 0) {
        // Swap (u, x) with (v, y).
        const y2 = sv[pv + 2];
        if (d[up * m + v] + d[y * m + x2] - dUp - dXx2 + d[vp * m + u] + d[x * m + y2] - dVp - d[y * m + y2] < slack) {
          this.start(ru, pu - 1);
          this.add(v);
          this.add(y);
          const b = this.finish(ru, pu + 2);
          this.start(rv, pv - 1);
          this.add(u);
          this.add(x);
          if (b + this.finish(rv, pv + 2) < base - MIN_GAIN) return this.applySwap(ru, pu, 2, rv, pv, 2);
        }
      }
    }
    // Swap u and v.
    if (d[up * m + v] + d[v * m + x] - dUp - dUx + d[vp * m + u] + d[u * m + y] - dVp - dVy < slack) {
      this.start(ru, pu - 1);
      this.add(v);
      const a = this.finish(ru, pu + 1);
      this.start(rv, pv - 1);
      this.add(u);
      if (a + this.finish(rv, pv + 1) < base - MIN_GAIN) return this.applySwap(ru, pu, 1, rv, pv, 1);
    }
    // 2-opt*: u → tail of v's route after v; v → tail of u's route after u.
    if (d[u * m + y] + d[v * m + x] - dUx - dVy < slack) {
      this.start(ru, pu);
      const c1 = this.finish(rv, pv + 1);
      this.start(rv, pv);
      if (c1 + this.finish(ru, pu + 1) < base - MIN_GAIN) return this.applyTails(ru, pu, rv, pv);
    }
    // 2-opt*: v → u (v's head, then u and u's tail); u's predecessor → tail after v.
    if (d[v * m + u] + d[up * m + y] - dUp - dVy < slack) {
      this.start(rv, pv);
      const c2 = this.finish(ru, pu);
      this.start(ru, pu - 1);
      if (c2 + this.finish(rv, pv + 1) < base - MIN_GAIN) return this.applyTails(ru, pu - 1, rv, pv);
    }
    return false;
  }

  /** Penalised cost of u's route without the `count` nodes from u on (cached until the next applied move). */
  private removal(u: number, count: 1 | 2): number {
    const k = count === 1 ? u : u + this.m;
    if (this.remStamp[k] === this.moves + 1) return this.remCost[k];
    const r = this.routeOf[u];
    const p = this.posOf[u];
    this.start(r, p - 1);
    const c = this.finish(r, p + count);
    this.remStamp[k] = this.moves + 1;
    this.remCost[k] = c;
    return c;
  }

  /** Current penalty (cost above distance) of route r. */
  private penalty(r: number): number {
    return this.cost[r] - this.fDist[r * this.w + this.len[r] + 1];
  }

  /** Intra-route moves: relocate u after v, swap u and v, 2-opt between them. */
  private tryIntra(u: number, v: number, r: number): boolean {
    const pu = this.posOf[u];
    const pv = this.posOf[v];
    const s = this.seq[r];
    const base = this.cost[r];
    const d = this.dist;
    const m = this.m;
    const slack = this.penalty(r) - MIN_GAIN;
    const up = s[pu - 1];
    const x = s[pu + 1];
    const y = s[pv + 1];
    if (pv !== pu - 1 && d[up * m + x] - d[up * m + u] - d[u * m + x] + d[v * m + u] + d[u * m + y] - d[v * m + y] < slack) {
      // Relocate u after v.
      let c: number;
      if (pu < pv) {
        this.start(r, pu - 1);
        for (let p = pu + 1; p <= pv; p++) this.add(s[p]);
        this.add(u);
        c = this.finish(r, pv + 1);
      } else {
        this.start(r, pv);
        this.add(u);
        for (let p = pv + 1; p < pu; p++) this.add(s[p]);
        c = this.finish(r, pu + 1);
      }
      if (c < base - MIN_GAIN) return this.applyRelocate(u, 1, false, r, pv);
    }
    const lo = Math.min(pu, pv);
    const hi = Math.max(pu, pv);
    const l = s[lo];
    const h = s[hi];
    const lp = s[lo - 1];
    const hn = s[hi + 1];
    const dl = d[lp * m + l] + d[h * m + hn];
    if (hi - lo >= 2 && d[lp * m + h] + d[h * m + s[lo + 1]] + d[s[hi - 1] * m + l] + d[l * m + hn] - dl - d[l * m + s[lo + 1]] - d[s[hi - 1] * m + h] < slack) {
      // Swap u and v.
      this.start(r, lo - 1);
      this.add(s[hi]);
      for (let p = lo + 1; p < hi; p++) this.add(s[p]);
      this.add(s[lo]);
      if (this.finish(r, hi + 1) < base - MIN_GAIN) {
        const arr = Array.from(s.subarray(1, this.len[r] + 1));
        arr[lo - 1] = s[hi];
        arr[hi - 1] = s[lo];
        return this.commit(r, arr);
      }
    }
    if (hi - lo >= 1 && d[lp * m + h] + d[l * m + hn] - dl < slack) {
      // 2-opt: reverse positions lo..hi.
      this.start(r, lo - 1);
      for (let p = hi; p >= lo; p--) this.add(s[p]);
      if (this.finish(r, hi + 1) < base - MIN_GAIN) {
        const arr = Array.from(s.subarray(1, this.len[r] + 1));
        const mid = arr.slice(lo - 1, hi).reverse();
        arr.splice(lo - 1, hi - lo + 1, ...mid);
        return this.commit(r, arr);
      }
    }
    return false;
  }

  /** Moves into an empty route while the fleet allows one more route. */
  private tryEmptyRoute(u: number): boolean {
    let used = 0;
    let empty = -1;
    for (let r = 0; r < this.slots; r++) {
      if (this.len[r] > 0) used++;
      else if (empty < 0) empty = r;
    }
    if (empty < 0 || used >= this.fleet) return false;
    const ru = this.routeOf[u];
    const pu = this.posOf[u];
    const base = this.cost[ru];
    // u alone in a new route.
    this.start(ru, pu - 1);
    const without = this.finish(ru, pu + 1);
    this.start(empty, 0);
    this.add(u);
    if (without + this.finish(empty, 1) < base - MIN_GAIN) return this.applyRelocate(u, 1, false, empty, 0);
    // Split u's route after u: the tail becomes a new route.
    if (pu < this.len[ru]) {
      this.start(ru, pu);
      const head = this.finish(empty, 1);
      this.start(empty, 0);
      if (head + this.finish(ru, pu + 1) < base - MIN_GAIN) return this.applyTails(ru, pu, empty, 0);
    }
    return false;
  }

  private customers(r: number): number[] {
    return Array.from(this.seq[r].subarray(1, this.len[r] + 1));
  }

  private commit(r: number, arr: number[], r2 = -1, arr2: number[] = []): boolean {
    this.moves++;
    this.write(r, arr);
    this.lastMod[r] = this.moves;
    if (r2 >= 0) {
      this.write(r2, arr2);
      this.lastMod[r2] = this.moves;
    }
    return true;
  }

  /** Moves `count` nodes starting at u (reversed if asked) to after position pv of route rv. */
  private applyRelocate(u: number, count: number, reversed: boolean, rv: number, pv: number): boolean {
    const ru = this.routeOf[u];
    const pu = this.posOf[u];
    const after = this.seq[rv][pv];
    const a = this.customers(ru);
    const moved = a.splice(pu - 1, count);
    if (reversed) moved.reverse();
    const b = ru === rv ? a : this.customers(rv);
    const at = after === 0 ? (pv === 0 ? 0 : b.length) : b.indexOf(after) + 1;
    b.splice(at, 0, ...moved);
    return ru === rv ? this.commit(ru, a) : this.commit(ru, a, rv, b);
  }

  /** Swaps the block of `cu` nodes at pu in route ru with the block of `cv` nodes at pv in route rv. */
  private applySwap(ru: number, pu: number, cu: number, rv: number, pv: number, cv: number): boolean {
    const a = this.customers(ru);
    const b = this.customers(rv);
    const blockU = a.slice(pu - 1, pu - 1 + cu);
    const blockV = b.slice(pv - 1, pv - 1 + cv);
    a.splice(pu - 1, cu, ...blockV);
    b.splice(pv - 1, cv, ...blockU);
    return this.commit(ru, a, rv, b);
  }

  /** Exchanges the tails after position pu of ru and after pv of rv. */
  private applyTails(ru: number, pu: number, rv: number, pv: number): boolean {
    const a = this.customers(ru);
    const b = this.customers(rv);
    const na = a.slice(0, pu).concat(b.slice(pv));
    const nb = b.slice(0, pv).concat(a.slice(pu));
    return this.commit(ru, na, rv, nb);
  }
}
