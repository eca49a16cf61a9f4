/**
 * The fleet problem in flat arrays for the search's inner loops: jobs and
 * places become small integers, stop fields typed arrays, and the road
 * network a distance matrix filled on first use (the travel function may be
 * a shortest-path query; each pair is asked once).
 */
import { costPerMetre, type CostContext, DEFAULT_LATENESS_COST, planStart } from './evaluate.js';
import type { Stop, TruckPlanState } from './types.js';

/** Tolerance on loads (quantities may be fractional). */
export const LOAD_EPS = 1e-9;

/** One truck's constants, as the search reads them. */
export interface TruckInfo {
  id: string;
  home: number;
  at: number;
  /** Out on a trip: trips[0] goes on from `at`. */
  out: boolean;
  /**
   * trips[0] is pinned: the truck is out or has loaded jobs, so trips[0] is
   * never dropped and no new trip goes before it.
   */
  anchored: boolean;
  available: boolean;
  start: number;
  speed: number;
  /** Cost of one metre driven. */
  rate: number;
  capacity: number;
  /** Load from pickups already made on the trip under way (0 at home): counted in trips[0]. */
  onBoard: number;
  /** Due times and cost per second late (priority × latenessCost) of those parts, late at the end of trips[0] (empty at home). */
  onBoardDue: number[];
  onBoardWeight: number[];
}

export class FleetModel {
  readonly jobs: Stop[] = [];
  readonly jobIndex = new Map<string, number>();
  readonly places: string[] = [];
  readonly trucks: TruckInfo[];
  readonly place: Int32Array;
  readonly qty: Float64Array;
  readonly ready: Float64Array;
  readonly due: Float64Array;
  readonly service: Float64Array;
  /** Cost of one second late: priority × latenessCost. */
  readonly weight: Float64Array;
  readonly delivery: Uint8Array;
  /** The truck a job is loaded on, or -1. */
  readonly loadedOn: Int32Array;
  /**
   * Where each job is in the solution being searched, kept up to date by
   * TruckRoute.recompute (truck -1: not on any truck) and the planned service start.
   */
  readonly jobTruck: Int32Array;
  readonly jobTrip: Int32Array;
  readonly jobPos: Int32Array;
  readonly jobStart: Float64Array;

  private readonly placeIndex = new Map<string, number>();
  private readonly dist: Float64Array;
  private readonly n: number;
  private readonly travel: (from: string, to: string) => number;

  /** Jobs: every stop of the trucks' trips, in order, then `loose` (unassigned or new). */
  constructor(ctx: CostContext, trucks: readonly TruckPlanState[], loose: readonly Stop[]) {
    this.travel = ctx.travel;
    const addJob = (s: Stop) => {
      if (this.jobIndex.has(s.job)) throw new Error(`fleet: job ${s.job} appears twice in the problem`);
      this.jobIndex.set(s.job, this.jobs.length);
      this.jobs.push(s);
    };
    for (const t of trucks) for (const trip of t.trips) for (const s of trip) addJob(s);
    for (const s of loose) addJob(s);
    const latenessCost = ctx.latenessCost ?? DEFAULT_LATENESS_COST;
    this.trucks = trucks.map((t) => {
      const out = t.at !== t.home;
      const onBoardDue = out ? (t.onBoardDue ?? []) : [];
      return {
        id: t.id,
        home: this.placeOf(t.home),
        at: this.placeOf(t.at),
        out,
        anchored: out || t.loaded.length > 0,
        available: t.available,
        start: planStart(t, ctx.now),
        speed: t.speed,
        rate: costPerMetre(t),
        capacity: t.capacity,
        onBoard: out ? (t.onBoard ?? 0) : 0,
        onBoardDue: onBoardDue.map((b) => b.due),
        onBoardWeight: onBoardDue.map((b) => b.priority * latenessCost),
      };
    });
    const n = this.jobs.length;
    this.place = new Int32Array(n);
    this.qty = new Float64Array(n);
    this.ready = new Float64Array(n);
    this.due = new Float64Array(n);
    this.service = new Float64Array(n);
    this.weight = new Float64Array(n);
    this.delivery = new Uint8Array(n);
    this.loadedOn = new Int32Array(n).fill(-1);
    this.jobTruck = new Int32Array(n).fill(-1);
    this.jobTrip = new Int32Array(n).fill(-1);
    this.jobPos = new Int32Array(n).fill(-1);
    this.jobStart = new Float64Array(n);
    this.jobs.forEach((s, j) => {
      this.place[j] = this.placeOf(s.place);
      this.qty[j] = s.qty;
      this.ready[j] = s.ready;
      this.due[j] = s.due;
      this.service[j] = s.service;
      this.weight[j] = (s.priority ?? 1) * latenessCost;
      this.delivery[j] = s.kind === 'delivery' ? 1 : 0;
    });
    trucks.forEach((t, i) => {
      for (const id of t.loaded) {
        const j = this.jobIndex.get(id);
        if (j === undefined) throw new Error(`fleet: truck ${t.id} has loaded job ${id}, which is in no plan`);
        this.loadedOn[j] = i;
      }
    });
    this.n = this.places.length;
    this.dist = new Float64Array(this.n * this.n).fill(NaN);
  }

  /** Metres from place a to place b, asked of the travel function once per pair. */
  d(a: number, b: number): number {
    if (a === b) return 0;
    const k = a * this.n + b;
    let v = this.dist[k];
    if (v !== v) {
      v = this.travel(this.places[a], this.places[b]);
      this.dist[k] = v;
    }
    return v;
  }

  private placeOf(name: string): number {
    let i = this.placeIndex.get(name);
    if (i === undefined) {
      i = this.places.length;
      this.placeIndex.set(name, i);
      this.places.push(name);
    }
    return i;
  }
}
