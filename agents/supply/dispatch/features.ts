import type { DispatchEnv, Option } from './dispatch-env.js';
import { distance, type Stop } from './day.js';
import { anchorAt, type Timetable } from './route.js';

/**
 * What the learned dispatcher sees of each option: the heuristic's own
 * number (the insertion cost, and how far it is from the cheapest), plus
 * what the heuristic ignores — how much slack the truck keeps for later,
 * where it will be for the rest of the day, how full it is, how much of the
 * day and of the expected urgent work is still to come. Positions are given
 * as coordinates so the network can learn where urgent jobs tend to appear.
 * Every feature is scaled to roughly [-1, 3].
 */
export const FEATURE_NAMES = [
  'delta',
  'regret',
  'isCheapest',
  'addedLate',
  'slackAfter',
  'slackBefore',
  'loadAfter',
  'busyAfter',
  'idle',
  'jobToDepot',
  'truckToJob',
  'truckX',
  'truckY',
  'routeX',
  'routeY',
  'jobX',
  'jobY',
  'timeOfDay',
  'expectedJobsLeft',
  'feasibleShare',
  'isCourier',
] as const;

export const FEATURES = FEATURE_NAMES.length;

const SLACK_CAP_H = 3;

/** Smallest margin (hours) between arrival and window close over the planned stops still ahead; capped. */
function slackHours(route: readonly Stop[], t: Timetable, from: number): number {
  let slack = SLACK_CAP_H * 60;
  for (let i = from; i < route.length; i++) if (route[i].kind === 'planned') slack = Math.min(slack, route[i].close - t.arrive[i]);
  return slack / 60;
}

/** Centroid of the stops still ahead (the depot when none). */
function centroidAhead(route: readonly Stop[], from: number): { x: number; y: number } {
  let x = 0;
  let y = 0;
  let n = 0;
  for (let i = from; i < route.length; i++) {
    if (route[i].kind === 'depot') continue;
    x += route[i].x;
    y += route[i].y;
    n++;
  }
  return n ? { x: x / n, y: y / n } : { x: route[0].x, y: route[0].y };
}

/** Features of every option, row by row (`options.length × FEATURES`). */
export function optionFeatures(env: DispatchEnv, options: readonly Option[]): Float32Array {
  const c = env.config;
  const job = env.job;
  const now = env.now;
  const out = new Float32Array(options.length * FEATURES);
  let minDelta = Infinity;
  let feasible = 0;
  for (const o of options) {
    if (!o.feasible) continue;
    minDelta = Math.min(minDelta, o.delta);
    if (o.kind === 'truck') feasible++;
  }
  const common = {
    jobToDepot: distance(job, env.day.depot) / c.area,
    jobX: job.x / c.area,
    jobY: job.y / c.area,
    timeOfDay: now / c.horizon,
    expectedJobsLeft: (c.urgentRate * Math.max(0, c.urgentTo - now)) / 10,
    feasibleShare: feasible / c.trucks,
  };
  options.forEach((o, r) => {
    const f = out.subarray(r * FEATURES, (r + 1) * FEATURES);
    const set = (name: (typeof FEATURE_NAMES)[number], v: number) => {
      f[FEATURE_NAMES.indexOf(name)] = v;
    };
    for (const [k, v] of Object.entries(common)) set(k as (typeof FEATURE_NAMES)[number], v);
    if (!o.feasible) return;
    set('delta', o.delta / c.courierCost);
    set('regret', (o.delta - minDelta) / c.courierCost);
    set('isCheapest', o.delta <= minDelta + 1e-9 ? 1 : 0);
    if (o.kind === 'courier') {
      set('isCourier', 1);
      return;
    }
    const truck = env.trucks[o.truck];
    const anchor = anchorAt(truck.timetable, now);
    const here = truck.route[anchor];
    const ahead = centroidAhead(o.route, anchor + 1);
    set('addedLate', o.addedLate / 60);
    set('slackAfter', slackHours(o.route, o.timetable, anchor + 1));
    set('slackBefore', slackHours(truck.route, truck.timetable, anchor + 1));
    set('loadAfter', o.timetable.maxLoad / c.truck.capacity);
    set('busyAfter', Math.max(0, o.timetable.arrive[o.timetable.arrive.length - 1] - now) / c.horizon);
    set('idle', truck.route.slice(anchor + 1).some((s) => s.kind !== 'depot') || here.kind !== 'depot' ? 0 : 1);
    set('truckToJob', distance(here, job) / c.area);
    set('truckX', here.x / c.area);
    set('truckY', here.y / c.area);
    set('routeX', ahead.x / c.area);
    set('routeY', ahead.y / c.area);
  });
  return out;
}
