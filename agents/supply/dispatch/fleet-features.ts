import { insertAt, scheduleTruck, truckCost, type CostContext, type InsertionQuote, type Stop, type TruckPlanState, type TripSchedule } from '../fleet/index.js';

/**
 * What the learned urgent dispatcher sees of each candidate truck, on the
 * fleet model (agents/supply/fleet): the auction's own number (the truck's
 * quote, and how far it is from the cheapest), and what the auction ignores
 * — how much slack the truck keeps for later, how long it stays busy, how
 * full the trip gets, whether it is idle at home or out, how far it is from
 * the job, how busy the rest of the fleet is.
 *
 * Everything here is computable from what the supply coordinator holds (its
 * dispatch book's `fleetProblem`, the job, the time, the distance table), so
 * the same function serves training (fleet-env.ts) and the product
 * (agents/supply/logistics/urgent-assignment.ts). Hence no coordinates (the
 * coordinator knows distances, not positions) and no forecast of urgent
 * jobs (the product has none): positions enter as distances to the job and
 * to the warehouse. Scaled to roughly [-1, 3] and clamped to [-3, 6].
 */
export const FLEET_FEATURE_NAMES = [
  'delta',
  'regret',
  'isCheapest',
  'addedDriving',
  'addedLate',
  'jobMargin',
  'jobWait',
  'slackBefore',
  'slackAfter',
  'busyBefore',
  'busyAfter',
  'tripLoad',
  'newTrip',
  'underWay',
  'idle',
  'out',
  'trips',
  'stops',
  'truckToJob',
  'nearestStop',
  'jobToHome',
  'jobDue',
  'quotedShare',
  'idleShare',
  'fleetBusy',
  'secondGap',
  'tiedShare',
] as const;

export type FleetFeature = (typeof FLEET_FEATURE_NAMES)[number];
export const FLEET_FEATURES = FLEET_FEATURE_NAMES.length;

/** Money: a quote of 100 is about a 50 km detour of the default trucks. */
export const COST_SCALE = 100;
/** Metres. */
export const DISTANCE_SCALE = 30_000;
const HOUR = 3600;
/** Slack beyond this many hours is as good as unlimited. */
const SLACK_CAP_H = 3;

const INDEX = Object.fromEntries(FLEET_FEATURE_NAMES.map((n, i) => [n, i])) as Record<FleetFeature, number>;

export interface FeatureInput {
  /** The job to place (an urgent pickup in training). */
  job: Stop;
  /** Every truck, in the decision's order. */
  trucks: readonly TruckPlanState[];
  /** Each truck's quote for the job (undefined: it cannot take it). */
  quotes: readonly (InsertionQuote | undefined)[];
  /** `now` is the decision's time. */
  ctx: CostContext;
}

/** When each stop of a plan is late by (service start for a delivery, the trip's arrival home for a pickup). */
function margins(trips: readonly (readonly Stop[])[], sched: readonly TripSchedule[]): number[] {
  const out: number[] = [];
  trips.forEach((trip, k) => {
    const s = sched[k];
    trip.forEach((stop, i) => out.push(stop.due - (stop.kind === 'delivery' ? s.serviceStarts[i] : s.end)));
  });
  return out;
}

/** Smallest margin (hours) over a plan's stops, capped. */
function slackHours(trips: readonly (readonly Stop[])[], sched: readonly TripSchedule[]): number {
  let m = SLACK_CAP_H * HOUR;
  for (const x of margins(trips, sched)) m = Math.min(m, x);
  return m / HOUR;
}

/** When the truck is done with its plan (its arrival home after the last trip). */
function planEnd(truck: TruckPlanState, sched: readonly TripSchedule[], now: number): number {
  return sched.length > 0 ? sched[sched.length - 1].end : Math.max(truck.freeAt, now);
}

const isIdle = (t: TruckPlanState) => t.at === t.home && t.trips.every((trip) => trip.length === 0);

const clampFeature = (v: number) => (Number.isNaN(v) ? 0 : Math.min(6, Math.max(-3, v)));

/** Features of every truck, row by row (`trucks.length × FLEET_FEATURES`); rows of trucks without a quote hold only the common part. */
export function fleetFeatures(input: FeatureInput): Float32Array {
  const { job, trucks, quotes, ctx } = input;
  const now = ctx.now;
  const n = trucks.length;
  const out = new Float32Array(n * FLEET_FEATURES);
  const costs = quotes.flatMap((q) => (q ? [q.cost] : [])).sort((a, b) => a - b);
  const min = costs[0] ?? 0;
  const before = trucks.map((t) => scheduleTruck(t, t.trips, ctx));
  const busy = trucks.map((t, i) => Math.max(0, planEnd(t, before[i], now) - now) / HOUR);
  const travel = (a: string, b: string) => (a === b ? 0 : ctx.travel(a, b));
  const common: Partial<Record<FleetFeature, number>> = {
    jobToHome: trucks.length > 0 ? travel(trucks[0].home, job.place) / DISTANCE_SCALE : 0,
    jobDue: (job.due - now) / HOUR / 4,
    quotedShare: n > 0 ? costs.length / n : 0,
    idleShare: n > 0 ? trucks.filter(isIdle).length / n : 0,
    fleetBusy: n > 0 ? busy.reduce((a, b) => a + b, 0) / n / 4 : 0,
    secondGap: costs.length > 1 ? (costs[1] - min) / COST_SCALE : 0,
    tiedShare: n > 0 ? costs.filter((c) => c <= min + 1e-6).length / n : 0,
  };
  trucks.forEach((t, r) => {
    const f = out.subarray(r * FLEET_FEATURES, (r + 1) * FLEET_FEATURES);
    const set = (name: FleetFeature, v: number) => {
      f[INDEX[name]] = clampFeature(v);
    };
    for (const [k, v] of Object.entries(common)) set(k as FleetFeature, v);
    const q = quotes[r];
    if (!q) return;
    const trips = insertAt(t, q, job);
    const after = scheduleTruck(t, trips, ctx);
    const costBefore = truckCost(t, t.trips, ctx);
    const costAfter = truckCost(t, trips, ctx);
    // Where the job went: its trip in the new plan.
    const k = trips.findIndex((trip) => trip.some((s) => s.job === job.job));
    const pos = trips[k].findIndex((s) => s.job === job.job);
    const out_ = t.at !== t.home;
    const lateAt = job.kind === 'delivery' ? after[k].serviceStarts[pos] : after[k].end;
    const load = trips[k].reduce((s, x) => s + x.qty, k === 0 && out_ ? (t.onBoard ?? 0) : 0);
    const places = [t.at, ...t.trips.flat().map((s) => s.place)];
    set('delta', q.cost / COST_SCALE);
    set('regret', (q.cost - min) / COST_SCALE);
    set('isCheapest', q.cost <= min + 1e-9 ? 1 : 0);
    set('addedDriving', (costAfter.driving - costBefore.driving) / COST_SCALE);
    set('addedLate', (costAfter.lateSeconds - costBefore.lateSeconds) / HOUR);
    set('jobMargin', (job.due - lateAt) / HOUR);
    set('jobWait', (q.serviceStart - now) / HOUR / 2);
    set('slackBefore', slackHours(t.trips, before[r]) / SLACK_CAP_H);
    set('slackAfter', slackHours(trips, after) / SLACK_CAP_H);
    set('busyBefore', busy[r] / 4);
    set('busyAfter', Math.max(0, planEnd(t, after, now) - now) / HOUR / 4);
    set('tripLoad', load / t.capacity);
    set('newTrip', q.newTrip || q.trip >= t.trips.length ? 1 : 0);
    set('underWay', out_ && q.trip === 0 && !q.newTrip ? 1 : 0);
    set('idle', isIdle(t) ? 1 : 0);
    set('out', out_ ? 1 : 0);
    set('trips', t.trips.filter((trip) => trip.length > 0).length / 4);
    set('stops', t.trips.reduce((s, trip) => s + trip.length, 0) / 10);
    set('truckToJob', travel(t.at, job.place) / DISTANCE_SCALE);
    set('nearestStop', Math.min(...places.map((p) => travel(p, job.place))) / DISTANCE_SCALE);
  });
  return out;
}
