import { RandomStream } from '../../../sim/random/stream.js';

/**
 * One simulated day of deliveries: the depot (the factory), the planned
 * deliveries known the evening before, and the urgent jobs that will appear
 * during the day. Generated from a seed only, with separate random streams
 * for the plan and for the urgent jobs, so two policies run on the same seed
 * see exactly the same day (common random numbers).
 *
 * Units: km on a plane, minutes from the start of the shift.
 */

export type StopKind = 'depot' | 'planned' | 'urgent';

export interface Stop {
  /** Unique within a day: 0 the depot, then planned, then urgent jobs. */
  id: number;
  kind: StopKind;
  x: number;
  y: number;
  /**
   * Planned stops are deliveries (goods leave the truck); urgent jobs are
   * pickups of a part the factory needs (goods come on board).
   */
  demand: number;
  /** Service may start at `open`; planned stops must be reached by `close`, urgent ones pay per minute late. */
  open: number;
  close: number;
  service: number;
  /** A truck may not set off towards the stop before it is known (urgent jobs: their arrival). */
  release: number;
}

export interface TruckSpec {
  capacity: number;
  /** km per minute. */
  speed: number;
  costPerKm: number;
  costPerHour: number;
}

export interface DispatchConfig {
  trucks: number;
  truck: TruckSpec;
  /** Side of the square service area (km); the depot is at its centre. */
  area: number;
  /** The depot closes (every truck back) at this minute: a hard limit. */
  horizon: number;
  planned: number;
  /** Share of planned customers drawn around a few day-specific clusters (Solomon RC-like); the rest uniform. */
  clusteredShare: number;
  clusters: number;
  plannedDemand: [number, number];
  plannedWindowWidth: [number, number];
  service: number;
  /** Urgent jobs: Poisson arrivals per minute between `urgentFrom` and `urgentTo`. */
  urgentRate: number;
  urgentFrom: number;
  urgentTo: number;
  /** Window opens this long after the job appears, and stays open this long. */
  urgentLead: [number, number];
  urgentWidth: [number, number];
  urgentDemand: [number, number];
  /**
   * Where urgent jobs tend to come from (an industrial park, known from
   * history): this share of them is drawn around `hotspot`, the rest uniform.
   */
  hotspot: { x: number; y: number; sd: number; share: number };
  latePenaltyPerMinute: number;
  courierCost: number;
}

/** The default world of the benchmark and of the committed policy. */
export const DEFAULT_CONFIG: DispatchConfig = {
  trucks: 5,
  truck: { capacity: 100, speed: 0.6, costPerKm: 0.8, costPerHour: 30 },
  area: 60,
  horizon: 600,
  planned: 35,
  clusteredShare: 0.5,
  clusters: 3,
  plannedDemand: [5, 20],
  plannedWindowWidth: [60, 150],
  service: 10,
  urgentRate: 14 / 420,
  urgentFrom: 30,
  urgentTo: 450,
  urgentLead: [0, 30],
  urgentWidth: [40, 90],
  urgentDemand: [3, 12],
  hotspot: { x: 48, y: 14, sd: 5, share: 0.6 },
  latePenaltyPerMinute: 2,
  courierCost: 90,
};

export interface Day {
  seed: number;
  depot: Stop;
  planned: Stop[];
  /** In order of arrival (`release`). */
  urgent: Stop[];
}

export function distance(a: { x: number; y: number }, b: { x: number; y: number }): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function normal(rng: RandomStream): number {
  const u1 = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.next());
}

function clampTo(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Generates the day for `seed` (the same seed always gives the same day). */
export function generateDay(c: DispatchConfig, seed: number): Day {
  const plan = new RandomStream('dispatch.plan', seed);
  const jobs = new RandomStream('dispatch.urgent', seed);
  const depot: Stop = { id: 0, kind: 'depot', x: c.area / 2, y: c.area / 2, demand: 0, open: 0, close: c.horizon, service: 0, release: 0 };
  const centres = Array.from({ length: c.clusters }, () => ({ x: plan.uniform(0.1, 0.9) * c.area, y: plan.uniform(0.1, 0.9) * c.area }));
  const planned: Stop[] = [];
  for (let i = 0; i < c.planned; i++) {
    let x: number;
    let y: number;
    if (plan.next() < c.clusteredShare) {
      const k = centres[plan.int(centres.length)];
      x = clampTo(k.x + normal(plan) * c.area * 0.06, 0, c.area);
      y = clampTo(k.y + normal(plan) * c.area * 0.06, 0, c.area);
    } else {
      x = plan.next() * c.area;
      y = plan.next() * c.area;
    }
    // Solomon-style windows: a centre reachable from the depot and back, a random width.
    const out = distance(depot, { x, y }) / c.truck.speed;
    const width = plan.uniform(c.plannedWindowWidth[0], c.plannedWindowWidth[1]);
    const lo = out + width / 2;
    const hi = c.horizon - out - c.service - width / 2;
    const centre = plan.uniform(lo, Math.max(lo, hi));
    const open = Math.max(out, centre - width / 2);
    const close = Math.min(c.horizon - out - c.service, centre + width / 2);
    const demand = c.plannedDemand[0] + plan.int(c.plannedDemand[1] - c.plannedDemand[0] + 1);
    planned.push({ id: i + 1, kind: 'planned', x, y, demand, open, close, service: c.service, release: 0 });
  }
  const urgent: Stop[] = [];
  let t = c.urgentFrom;
  for (;;) {
    t += -Math.log(1 - jobs.next()) / c.urgentRate;
    if (t >= c.urgentTo) break;
    const hot = jobs.next() < c.hotspot.share;
    const x = hot ? clampTo(c.hotspot.x + normal(jobs) * c.hotspot.sd, 0, c.area) : jobs.next() * c.area;
    const y = hot ? clampTo(c.hotspot.y + normal(jobs) * c.hotspot.sd, 0, c.area) : jobs.next() * c.area;
    const open = t + jobs.uniform(c.urgentLead[0], c.urgentLead[1]);
    const close = open + jobs.uniform(c.urgentWidth[0], c.urgentWidth[1]);
    const demand = c.urgentDemand[0] + jobs.int(c.urgentDemand[1] - c.urgentDemand[0] + 1);
    urgent.push({ id: c.planned + 1 + urgent.length, kind: 'urgent', x, y, demand, open, close, service: c.service, release: t });
  }
  return { seed, depot, planned, urgent };
}
