/**
 * The whole fleet's plan during the search: one TruckRoute per truck and the
 * pool of jobs on no truck. An ALNS iteration changes a few trucks in place;
 * the first change to a truck in an iteration saves its trips, so rejecting
 * the iteration restores only what it touched (no copy of the whole plan per
 * iteration).
 */
import type { FleetModel } from './model.js';
import { TruckRoute } from './route.js';

/** A saved plan: every truck's trips and the pool. */
export interface PlanSnapshot {
  trips: number[][][];
  pool: number[];
}

const copyTrips = (trips: readonly (readonly number[])[]): number[][] => trips.map((t) => t.slice());

export class FleetState {
  readonly routes: TruckRoute[];
  /** Jobs on no truck, sorted by index (deterministic order for the repairs). */
  pool: number[] = [];
  private saved = new Map<number, number[][]>();
  private savedPool: number[] = [];

  constructor(
    readonly m: FleetModel,
    trips: number[][][],
    /** Objective cost of one unassigned job per unit of priority. */
    readonly unassignedPenalty: number,
  ) {
    this.routes = trips.map((t, i) => new TruckRoute(m, i, t));
  }

  /** Driving + lateness of every truck, plus the penalty for the pool: what the search minimises. */
  objective(): number {
    let f = 0;
    for (const r of this.routes) f += r.cost;
    for (const j of this.pool) f += this.penalty(j);
    return f;
  }

  /** Driving + lateness only. */
  planCost(): number {
    let f = 0;
    for (const r of this.routes) f += r.cost;
    return f;
  }

  penalty(j: number): number {
    return this.unassignedPenalty * (this.m.jobs[j].priority ?? 1);
  }

  /** Starts an iteration: later changes can be rolled back. */
  begin(): void {
    this.saved.clear();
    this.savedPool = this.pool.slice();
  }

  /** Takes job j off its truck (it is then on no truck, and not in the pool). */
  remove(j: number): void {
    const r = this.routes[this.m.jobTruck[j]];
    this.touch(r);
    r.remove(j);
  }

  /** The route, saved for rollback before the caller changes it. */
  edit(t: number): TruckRoute {
    const r = this.routes[t];
    this.touch(r);
    return r;
  }

  /** Undoes every change since begin(). */
  rollback(): void {
    for (const [t, trips] of this.saved) {
      const r = this.routes[t];
      r.trips = trips;
      r.recompute();
    }
    this.pool = this.savedPool;
    for (const j of this.pool) this.m.jobTruck[j] = -1;
    this.saved.clear();
    this.savedPool = this.pool.slice();
  }

  snapshot(): PlanSnapshot {
    return { trips: this.routes.map((r) => copyTrips(r.trips)), pool: this.pool.slice() };
  }

  restore(s: PlanSnapshot): void {
    this.m.jobTruck.fill(-1);
    this.routes.forEach((r, t) => {
      r.trips = copyTrips(s.trips[t]);
      r.recompute();
    });
    this.pool = s.pool.slice();
    this.saved.clear();
  }

  private touch(r: TruckRoute): void {
    if (!this.saved.has(r.t)) this.saved.set(r.t, copyTrips(r.trips));
  }
}
