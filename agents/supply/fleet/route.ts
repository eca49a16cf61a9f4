/**
 * One truck's plan during the search: its trips as job indices, and the
 * forward schedule of every trip (arrival and service start per stop, trip
 * start and end), recomputed after each change in O(plan length).
 *
 * With the schedule at hand an insertion or a removal is priced without
 * rebuilding the plan: the driving change is three distances, and a delay
 * at one stop is pushed forward through the later stops (and trips) only
 * until waiting for a `ready` time absorbs it. Waiting is never charged, so
 * only lateness changes along the way: of the deliveries it reaches (late at
 * their service start) and, when it reaches a trip's end, of that trip's
 * pickups and parts on board (late at the arrival home; homeShift). The
 * priced job's own lateness is at its service start (delivery) or at its
 * trip's new end (pickup: `endShift`). Exact for any travel function, also
 * one that breaks the triangle inequality (a negative delay is pushed too).
 */
import { type FleetModel, LOAD_EPS, type TruckInfo } from './model.js';

/** The cheapest place for a job on one truck (a scratch object the caller owns). */
export interface Insertion {
  cost: number;
  trip: number;
  pos: number;
  /** A trip of its own before trips[trip]. */
  newTrip: boolean;
  serviceStart: number;
}

export const noInsertion = (): Insertion => ({ cost: Infinity, trip: -1, pos: -1, newTrip: false, serviceStart: NaN });

/** `a` with length n, grown by appending (V8 keeps it a packed array, also when then filled from the end). */
function sized(a: number[], n: number): number[] {
  if (a.length > n) a.length = n;
  else while (a.length < n) a.push(0);
  return a;
}

export class TruckRoute {
  readonly info: TruckInfo;
  tripStart: number[] = [];
  tripEnd: number[] = [];
  /** Σ qty per trip; trips[0] of a truck out includes what is on board. */
  tripLoad: number[] = [];
  /** Per trip, per stop: arrival and service start. */
  arr: number[][] = [];
  svc: number[][] = [];
  /**
   * Per trip, per position p (0..length): waiting at stops p.. of the trip.
   * A delay δ ≥ 0 at the arrival at stop p brings the trip home exactly
   * e = max(0, δ − wait[k][p]) later (each stop's waiting absorbs what it
   * can), and moves every later stop of the trip by at least e.
   */
  wait: number[][] = [];
  /**
   * What is late already, as Σ cost per second: per trip, per position p, of
   * the deliveries at stops p.. served at or past due; per trip, of what it
   * brings home at or past due (its pickups, the parts on board). A delay
   * δ ≥ 0 at p costs at least (lateAfter[k][p] + homeLate[k]) × e.
   */
  lateAfter: number[][] = [];
  homeLate: number[] = [];
  /**
   * Per trip k: Σ waiting and Σ late weight (as lateAfter) of the trips after
   * it. When trip k comes home e ≥ 0 later, everything in them moves by at
   * least max(0, e − laterWait[k]).
   */
  laterWait: number[] = [];
  laterLate: number[] = [];
  metres = 0;
  lateSeconds = 0;
  lateness = 0;
  /** Driving + lateness of the remaining plan. */
  cost = 0;
  /** Set by shift: how far the end of its first trip k moved (0 when waiting absorbed the delay before). */
  endShift = 0;

  constructor(
    readonly m: FleetModel,
    readonly t: number,
    public trips: number[][],
  ) {
    this.info = m.trucks[t];
    if (this.info.anchored && trips.length === 0) trips.push([]);
    this.recompute();
  }

  origin(k: number): number {
    return k === 0 && this.info.out ? this.info.at : this.info.home;
  }

  /** Rebuilds the schedule and cost, and the model's record of where each job is. */
  recompute(): void {
    const m = this.m;
    const { speed, home, start, out, onBoardDue, onBoardWeight } = this.info;
    const trips = this.trips;
    let metres = 0;
    let lateSeconds = 0;
    let lateness = 0;
    let time = start;
    for (let k = 0; k < trips.length; k++) {
      const trip = trips[k];
      const n = trip.length;
      const arr = sized((this.arr[k] ??= []), n);
      const svc = sized((this.svc[k] ??= []), n);
      const wait = sized((this.wait[k] ??= []), n + 1);
      const after = sized((this.lateAfter[k] ??= []), n + 1);
      this.tripStart[k] = time;
      let prev = this.origin(k);
      let load = 0;
      for (let i = 0; i < n; i++) {
        const j = trip[i];
        const p = m.place[j];
        const d = m.d(prev, p);
        metres += d;
        const a = time + d / speed;
        const s = a > m.ready[j] ? a : m.ready[j];
        arr[i] = a;
        svc[i] = s;
        time = s + m.service[j];
        prev = p;
        load += m.qty[j];
        m.jobTruck[j] = this.t;
        m.jobTrip[j] = k;
        m.jobPos[j] = i;
        m.jobStart[j] = s;
      }
      const back = m.d(prev, home);
      metres += back;
      time += back / speed;
      this.tripEnd[k] = time;
      // Lateness, backwards: a delivery at its service start, a pickup (and what is on board) at the
      // arrival home; with the waiting and the late weight from each position on.
      let homeLate = 0;
      if (k === 0 && out) {
        load += this.info.onBoard;
        for (let b = 0; b < onBoardDue.length; b++) {
          const due = onBoardDue[b];
          if (time >= due) homeLate += onBoardWeight[b];
          if (time > due) {
            lateSeconds += time - due;
            lateness += (time - due) * onBoardWeight[b];
          }
        }
      }
      this.tripLoad[k] = load;
      let w = 0;
      let delLate = 0;
      wait[n] = 0;
      after[n] = 0;
      for (let i = n - 1; i >= 0; i--) {
        const j = trip[i];
        const due = m.due[j];
        const at = m.delivery[j] ? svc[i] : time;
        if (at >= due) {
          if (m.delivery[j]) delLate += m.weight[j];
          else homeLate += m.weight[j];
          if (at > due) {
            lateSeconds += at - due;
            lateness += (at - due) * m.weight[j];
          }
        }
        w += svc[i] - arr[i];
        wait[i] = w;
        after[i] = delLate;
      }
      this.homeLate[k] = homeLate;
    }
    const n = trips.length;
    sized(this.laterWait, n);
    sized(this.laterLate, n);
    let laterWait = 0;
    let laterLate = 0;
    for (let k = n - 1; k >= 0; k--) {
      this.laterWait[k] = laterWait;
      this.laterLate[k] = laterLate;
      laterWait += this.wait[k][0];
      laterLate += this.lateAfter[k][0] + this.homeLate[k];
    }
    if (this.arr.length > n) {
      this.tripStart.length = this.tripEnd.length = this.tripLoad.length = this.homeLate.length = n;
      this.arr.length = this.svc.length = this.wait.length = this.lateAfter.length = n;
    }
    this.metres = metres;
    this.lateSeconds = lateSeconds;
    this.lateness = lateness;
    this.cost = metres * this.info.rate + lateness;
  }

  /**
   * Lateness cost change when the arrival at stop p of trip k (p = length:
   * back home) moves by delta seconds; sets endShift to how far trip k's end
   * moves. Every job of the plan counts, also one about to be taken out.
   * With `budget`, a delay (delta > 0) stops being pushed once the change
   * reaches it (every later change is ≥ 0): the result is then Infinity, a
   * position that cannot win.
   */
  shift(k: number, p: number, delta: number, budget = Infinity): number {
    const m = this.m;
    let extra = 0;
    const stop = delta > 0 ? budget : Infinity;
    this.endShift = 0;
    for (let t = k; t < this.trips.length; t++) {
      const trip = this.trips[t];
      const arr = this.arr[t];
      const svc = this.svc[t];
      for (let i = t === k ? p : 0; i < trip.length; i++) {
        const j = trip[i];
        const a = arr[i] + delta;
        const r = m.ready[j];
        const s = a > r ? a : r;
        const old = svc[i];
        if (m.delivery[j]) {
          const due = m.due[j];
          extra += m.weight[j] * ((s > due ? s - due : 0) - (old > due ? old - due : 0));
        }
        delta = s - old;
        if (delta === 0) return extra;
        if (extra >= stop) return Infinity;
      }
      // The trip comes home delta later: its pickups and parts on board are later too.
      if (t === k) this.endShift = delta;
      extra += this.homeShift(t, delta);
      if (extra >= stop) return Infinity;
    }
    return extra;
  }

  /** Lateness cost change of what trip t brings home (its pickups, the parts on board) when its end moves by delta. */
  homeShift(t: number, delta: number): number {
    const m = this.m;
    const trip = this.trips[t];
    const e0 = this.tripEnd[t];
    const e1 = e0 + delta;
    let x = 0;
    for (let i = 0; i < trip.length; i++) {
      const j = trip[i];
      if (m.delivery[j]) continue;
      const d = m.due[j];
      x += m.weight[j] * ((e1 > d ? e1 - d : 0) - (e0 > d ? e0 - d : 0));
    }
    if (t === 0 && this.info.out) {
      const { onBoardDue, onBoardWeight } = this.info;
      for (let b = 0; b < onBoardDue.length; b++) {
        const d = onBoardDue[b];
        x += onBoardWeight[b] * ((e1 > d ? e1 - d : 0) - (e0 > d ? e0 - d : 0));
      }
    }
    return x;
  }

  /** Whether job j may go on this truck at all (loaded jobs only on their own truck, nothing new on a broken one). */
  accepts(j: number): boolean {
    const on = this.m.loadedOn[j];
    if (on >= 0) return on === this.t;
    return this.info.available && this.m.qty[j] <= this.info.capacity + LOAD_EPS;
  }

  /**
   * The cheapest position for job j (not on this truck) into `out`; false
   * when the truck cannot take it. A loaded job goes back into trips[0]
   * only, without a capacity check (it is on board already).
   *
   * Positions are tried from the back of the plan (a trip of its own after
   * the last, then the last trip's last position, ...): late positions delay
   * little and their walks are short, so they give a bound early that cuts
   * the long walks of the front positions (a lower bound rejects most
   * without a walk; shift's budget stops the others early). Among positions
   * of equal cost the one tried first wins.
   */
  bestInsertion(j: number, out: Insertion): boolean {
    out.cost = Infinity;
    if (!this.accepts(j)) return false;
    const m = this.m;
    const { speed, home, rate, capacity, out: isOut, anchored } = this.info;
    const loaded = m.loadedOn[j] === this.t;
    const pickup = !m.delivery[j];
    const pj = m.place[j];
    const q = m.qty[j];
    const rj = m.ready[j];
    const dj = m.due[j];
    const sj = m.service[j];
    const wj = m.weight[j];
    const trips = this.trips;
    // A trip of its own, before trip k; never before a pinned trips[0] (a loaded job's truck is pinned).
    if (!loaded) {
      const dIn = m.d(home, pj);
      const dOut = m.d(pj, home);
      for (let k = trips.length; k >= (anchored ? 1 : 0); k--) {
        const t0 = k === 0 ? this.info.start : this.tripEnd[k - 1];
        const a = t0 + dIn / speed;
        const s = a > rj ? a : rj;
        const back = s + sj + dOut / speed;
        const lateAt = pickup ? back : s;
        let c = (dIn + dOut) * rate + (lateAt > dj ? (lateAt - dj) * wj : 0);
        if (k < trips.length) {
          // Trip k and the later ones are pushed back by delta (≥ 0), each of their late jobs by at
          // least max(0, delta − their waiting): skip the walk when that lower bound cannot win.
          const delta = back - t0;
          const absorb = this.wait[k][0] + this.laterWait[k];
          const lb = delta > absorb ? (delta - absorb) * (this.lateAfter[k][0] + this.homeLate[k] + this.laterLate[k]) : 0;
          if (c + lb >= out.cost) continue;
          if (delta !== 0) c += this.shift(k, 0, delta, out.cost - c);
        }
        if (c < out.cost) this.set(out, c, k, 0, true, s);
      }
    }
    const lastTrip = loaded ? 1 : trips.length;
    // A delivery not on board cannot ride on the trip under way: its parts are at home.
    const firstTrip = isOut && !pickup && !loaded ? 1 : 0;
    for (let k = lastTrip - 1; k >= firstTrip; k--) {
      if (!loaded && this.tripLoad[k] + q > capacity + LOAD_EPS) continue;
      const trip = trips[k];
      const arr = this.arr[k];
      const svc = this.svc[k];
      const end = this.tripEnd[k];
      const wait = this.wait[k];
      const after = this.lateAfter[k];
      const homeLate = this.homeLate[k];
      const laterWait = this.laterWait[k];
      const laterLate = this.laterLate[k];
      // A pickup is late when its trip is home: at least as late as the trip now ends.
      const lateNow = pickup && end > dj ? (end - dj) * wj : 0;
      for (let p = trip.length; p >= 0; p--) {
        let prev = this.origin(k);
        let dep = this.tripStart[k];
        if (p > 0) {
          const i = trip[p - 1];
          prev = m.place[i];
          dep = svc[p - 1] + m.service[i];
        }
        const next = p < trip.length ? m.place[trip[p]] : home;
        const dIn = m.d(prev, pj);
        const dOut = m.d(pj, next);
        const a = dep + dIn / speed;
        const s = a > rj ? a : rj;
        let c = (dIn + dOut - m.d(prev, next)) * rate + (pickup ? lateNow : s > dj ? (s - dj) * wj : 0);
        const delta = s + sj + dOut / speed - (p < trip.length ? arr[p] : end);
        if (delta >= 0) {
          // A delay: the trip is home exactly e later (so the pickup's own lateness is known now),
          // what is late already from p on is at least e later, and in later trips at least
          // e − their waiting. Pushing a delay forward never lowers lateness: skip the walk
          // when that lower bound cannot win.
          const e = delta > wait[p] ? delta - wait[p] : 0;
          if (pickup && e > 0) c += (end + e > dj ? (end + e - dj) * wj : 0) - lateNow;
          if (c + (after[p] + homeLate) * e + (e > laterWait ? (e - laterWait) * laterLate : 0) >= out.cost) continue;
          if (delta > 0) c += this.shift(k, p, delta, out.cost - c);
        } else {
          c += this.shift(k, p, delta);
          if (pickup) {
            const e = end + this.endShift;
            c += (e > dj ? (e - dj) * wj : 0) - lateNow;
          }
        }
        if (c < out.cost) this.set(out, c, k, p, false, s);
      }
    }
    return out.cost < Infinity;
  }

  /** Cost change of taking job j (on this truck) out: negative is a saving. */
  removalDelta(j: number): number {
    const m = this.m;
    const k = m.jobTrip[j];
    const p = m.jobPos[j];
    const trip = this.trips[k];
    const { speed, home, rate } = this.info;
    let prev = this.origin(k);
    let dep = this.tripStart[k];
    if (p > 0) {
      const i = trip[p - 1];
      prev = m.place[i];
      dep = this.svc[k][p - 1] + m.service[i];
    }
    const pj = m.place[j];
    const next = p + 1 < trip.length ? m.place[trip[p + 1]] : home;
    const direct = m.d(prev, next);
    const pickup = !m.delivery[j];
    const dj = m.due[j];
    const wj = m.weight[j];
    const end = this.tripEnd[k];
    const lateAt = pickup ? end : this.svc[k][p];
    const own = lateAt > dj ? (lateAt - dj) * wj : 0;
    let c = (direct - m.d(prev, pj) - m.d(pj, next)) * rate - own;
    const delta = dep + direct / speed - (p + 1 < trip.length ? this.arr[k][p + 1] : end);
    if (delta !== 0) {
      c += this.shift(k, p + 1, delta);
      // shift priced j's own home lateness as if it stayed; it is gone.
      if (pickup) {
        const e = end + this.endShift;
        c -= (e > dj ? (e - dj) * wj : 0) - own;
      }
    }
    return c;
  }

  insert(j: number, at: Insertion): void {
    if (at.newTrip) this.trips.splice(at.trip, 0, [j]);
    else this.trips[at.trip].splice(at.pos, 0, j);
    this.recompute();
  }

  /** Takes job j out; a trip left empty goes too (except a pinned trips[0]). */
  remove(j: number): void {
    const m = this.m;
    const k = m.jobTrip[j];
    const trip = this.trips[k];
    trip.splice(m.jobPos[j], 1);
    if (trip.length === 0 && !(k === 0 && this.info.anchored)) this.trips.splice(k, 1);
    m.jobTruck[j] = m.jobTrip[j] = m.jobPos[j] = -1;
    this.recompute();
  }

  private set(out: Insertion, cost: number, trip: number, pos: number, newTrip: boolean, serviceStart: number): void {
    out.cost = cost;
    out.trip = trip;
    out.pos = pos;
    out.newTrip = newTrip;
    out.serviceStart = serviceStart;
  }
}
