/**
 * The ALNS destroy operators (Ropke & Pisinger 2006): take q jobs off the
 * available trucks for the repair to place again.
 * - random: q jobs uniformly;
 * - worst: the jobs whose removal saves most, drawn with a bias y^3 towards
 *   the top so the search does not repeat itself;
 * - related (Shaw): jobs close in place, planned time and size to jobs
 *   already removed (bias y^6), so they can trade places.
 * Jobs of broken trucks never move (only loaded ones are left there). The
 * k-th best of a list is found by quickselect, O(list) per draw, not a sort.
 */
import type { RandomStream } from '../../../sim/random/stream.js';
import type { FleetState } from './state.js';

export type DestroyKind = 'random' | 'worst' | 'related';

/** Relatedness weights (distance, time, quantity) and randomisation exponents from Ropke & Pisinger. */
const SHAW_DIST = 9;
const SHAW_TIME = 3;
const SHAW_QTY = 2;
const WORST_P = 3;
const SHAW_P = 6;

export class Destroyer {
  private readonly cand: Int32Array;
  private readonly key: Float64Array;
  private n = 0;
  private readonly dNorm: number;
  private readonly tNorm: number;
  private readonly qNorm: number;

  constructor(
    private readonly state: FleetState,
    private readonly rng: RandomStream,
  ) {
    const m = state.m;
    const J = m.jobs.length;
    this.cand = new Int32Array(J);
    this.key = new Float64Array(J);
    // Scales that put the three relatedness terms on [0, ~1].
    let d = 0;
    let tMin = Infinity;
    let tMax = -Infinity;
    let q = 0;
    const home = m.trucks.length > 0 ? m.trucks[0].home : 0;
    for (let j = 0; j < J; j++) {
      d = Math.max(d, m.d(home, m.place[j]));
      tMin = Math.min(tMin, m.ready[j]);
      tMax = Math.max(tMax, m.due[j]);
      q = Math.max(q, m.qty[j]);
    }
    this.dNorm = 2 * d || 1;
    this.tNorm = tMax - tMin || 1;
    this.qNorm = q || 1;
  }

  /** Jobs that may move: on an available truck. */
  movable(): number {
    let n = 0;
    for (const r of this.state.routes) {
      if (!r.info.available) continue;
      for (const trip of r.trips) for (const j of trip) this.cand[n++] = j;
    }
    this.n = n;
    return n;
  }

  /** Removes up to q jobs with the operator `kind`, appending them to `removed`. */
  run(kind: DestroyKind, q: number, removed: number[]): void {
    q = Math.min(q, this.movable());
    if (q <= 0) return;
    if (kind === 'random') this.random(q, removed);
    else if (kind === 'worst') this.worst(q, removed);
    else this.related(q, removed);
  }

  private random(q: number, removed: number[]): void {
    for (let i = 0; i < q; i++) removed.push(this.take(this.rng.int(this.n)));
  }

  private worst(q: number, removed: number[]): void {
    const { state, cand, key } = this;
    const m = state.m;
    // key: cost change of removing the job (most negative = biggest saving).
    for (let i = 0; i < this.n; i++) key[cand[i]] = state.routes[m.jobTruck[cand[i]]].removalDelta(cand[i]);
    for (let k = 0; k < q; k++) {
      const i = this.select(Math.floor(this.rng.next() ** WORST_P * this.n));
      const t = m.jobTruck[cand[i]];
      removed.push(this.take(i));
      const r = state.routes[t];
      for (let i = 0; i < this.n; i++) if (m.jobTruck[cand[i]] === t) key[cand[i]] = r.removalDelta(cand[i]);
    }
  }

  private related(q: number, removed: number[]): void {
    const { state, cand, key } = this;
    const m = state.m;
    const first = removed.length;
    removed.push(this.take(this.rng.int(this.n)));
    while (removed.length - first < q) {
      const r = removed[first + this.rng.int(removed.length - first)];
      const pr = m.place[r];
      for (let i = 0; i < this.n; i++) {
        const j = cand[i];
        key[j] =
          (SHAW_DIST * m.d(pr, m.place[j])) / this.dNorm +
          (SHAW_TIME * Math.abs(m.jobStart[r] - m.jobStart[j])) / this.tNorm +
          (SHAW_QTY * Math.abs(m.qty[r] - m.qty[j])) / this.qNorm;
      }
      removed.push(this.take(this.select(Math.floor(this.rng.next() ** SHAW_P * this.n))));
    }
  }

  /** Takes candidate i off the list and its job off its truck. */
  private take(i: number): number {
    const j = this.cand[i];
    this.cand[i] = this.cand[--this.n];
    this.state.remove(j);
    return j;
  }

  /** Index in cand of the candidate with the rank-th smallest key (quickselect; reorders cand). */
  private select(rank: number): number {
    const { cand, key } = this;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const pivot = key[cand[(lo + hi) >>> 1]];
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (key[cand[i]] < pivot) i++;
        while (key[cand[j]] > pivot) j--;
        if (i <= j) {
          const t = cand[i];
          cand[i] = cand[j];
          cand[j] = t;
          i++;
          j--;
        }
      }
      if (rank <= j) hi = j;
      else if (rank >= i) lo = i;
      else return rank;
    }
    return rank;
  }
}
