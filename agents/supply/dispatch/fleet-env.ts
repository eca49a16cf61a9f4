import { RandomStream } from '../../../sim/random/stream.js';
import { bestBid } from '../../protocol/contract-net.js';
import { planCost, quoteInsertion, insertAt, reoptimise, type CostContext, type InsertionQuote, type PlanCost, type Stop, type TruckPlanState } from '../fleet/index.js';
import { advanceTruck } from './fleet-advance.js';
import { addCost, zeroCost } from '../fleet/index.js';

/**
 * The urgent-dispatch decision on the product's own fleet model
 * (agents/supply/fleet): the supply chain's trucks at their warehouse, a
 * morning plan of routine pickups and deliveries made by the fleet's ALNS
 * (`reoptimise`, as the weekly route's departure does under the `static`
 * policy), then urgent pickups (parts a stopped machine waits for:
 * priority 10, due 2–4 h after they are known) arriving one by one over the
 * day. Each must go, when it arrives, to one truck: among the trucks that
 * can quote it (`quoteInsertion`), the policy picks one and the job is put
 * where that truck's quote says (`insertAt`). Between arrivals the trucks
 * drive their plans (fleet-advance.ts).
 *
 * Cost of a day: everything the trucks drive and every second late, by the
 * fleet's rules (driving + priority-weighted lateness, `planCost`), realised
 * as the trucks go and summed when the last truck is home. Because the
 * model is deterministic and a quote prices exactly the change of its
 * truck's remaining plan, a decision's cost increment is its quote's cost:
 * the day's cost is the morning plan's cost plus the sum of the chosen
 * quotes (a test checks the realised ledger against that sum).
 *
 * Units: metres, seconds from the start of the shift, the trucks' money.
 * Places are named points on a plane; travel is the straight line.
 */

export interface FleetDayConfig {
  trucks: number;
  truck: { capacity: number; speed: number; costPerKm: number; costPerHour: number };
  /** Side of the square area (m); the warehouse is at its centre. */
  area: number;
  /** Cost per second late per unit of priority (the fleet's default is 1/60). */
  latenessCost: number;
  /** Time at a stop (s). */
  service: number;
  routine: {
    jobs: number;
    /** Share of pickups (the rest are deliveries). */
    pickupShare: number;
    /** Share of routine places drawn around a few day-specific clusters; the rest uniform. */
    clusteredShare: number;
    clusters: number;
    clusterSd: number;
    qty: [number, number];
    /** Ready times uniform in [0, readyUntil]. */
    readyUntil: number;
    /** Due after ready (s): deliveries at service start, pickups at the warehouse. */
    deliveryDue: [number, number];
    pickupDue: [number, number];
  };
  urgent: {
    /** Poisson arrivals per hour between `from` and `to` (s). */
    perHour: number;
    from: number;
    to: number;
    /** Parts ready this long after the job is known. */
    ready: [number, number];
    /** Due at the warehouse this long after the job is known. */
    due: [number, number];
    qty: [number, number];
    priority: number;
    /**
     * Where urgent jobs tend to come from (a supplier park, known from
     * history): this share is drawn around the point, the rest uniform.
     */
    hotspot: { x: number; y: number; sd: number; share: number };
  };
  /** ALNS iterations of the morning plan. */
  planIterations: number;
}

/**
 * The default world: 8 trucks with the supply-network scenario's trucks'
 * figures (14 m/s, 1.2 per km, 40 per hour) on its 60 km square, 40
 * routine jobs, about 16 urgent pickups a day, most from a supplier park
 * 19 km south-east of the warehouse.
 */
export const FLEET_DAY: FleetDayConfig = {
  trucks: 8,
  truck: { capacity: 200, speed: 14, costPerKm: 1.2, costPerHour: 40 },
  area: 60_000,
  latenessCost: 1 / 60,
  service: 900,
  routine: {
    jobs: 40,
    pickupShare: 0.5,
    clusteredShare: 0.5,
    clusters: 3,
    clusterSd: 4000,
    qty: [5, 40],
    readyUntil: 6 * 3600,
    deliveryDue: [2 * 3600, 5 * 3600],
    pickupDue: [4 * 3600, 8 * 3600],
  },
  urgent: {
    perHour: 2,
    from: 3600,
    to: 9 * 3600,
    ready: [0, 1800],
    due: [2 * 3600, 4 * 3600],
    qty: [1, 10],
    priority: 10,
    hotspot: { x: 15_000, y: -12_000, sd: 3000, share: 0.6 },
  },
  planIterations: 200,
};

export const HOME = 'home';

export interface FleetDay {
  seed: number;
  /** Coordinates of every place (m). */
  coords: Map<string, { x: number; y: number }>;
  routine: Stop[];
  /** In order of arrival. */
  urgent: { arrival: number; stop: Stop }[];
}

/** The morning plan of a day: action-independent, shared by every episode of the day. */
export interface FleetDayPlan {
  day: FleetDay;
  trucks: TruckPlanState[];
  /** Routine jobs the plan could not place (none when every job fits a truck). */
  unassigned: number;
  /** The plan's cost at time 0. */
  plannedCost: number;
}

function normal(rng: RandomStream): number {
  const u1 = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.next());
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Straight-line metres between the day's places. */
export function travelOf(day: FleetDay): (a: string, b: string) => number {
  return (a, b) => {
    const p = day.coords.get(a);
    const q = day.coords.get(b);
    if (!p || !q) return Infinity;
    return Math.hypot(p.x - q.x, p.y - q.y);
  };
}

/** The day of `seed` (separate streams for the routine work and the urgent jobs: common random numbers). */
export function generateFleetDay(c: FleetDayConfig, seed: number): FleetDay {
  const plan = new RandomStream('fleet-dispatch.routine', seed);
  const jobs = new RandomStream('fleet-dispatch.urgent', seed);
  const half = c.area / 2;
  const coords = new Map<string, { x: number; y: number }>([[HOME, { x: 0, y: 0 }]]);
  const intIn = (rng: RandomStream, [lo, hi]: [number, number]) => lo + rng.int(hi - lo + 1);
  const centres = Array.from({ length: c.routine.clusters }, () => ({ x: plan.uniform(-0.8, 0.8) * half, y: plan.uniform(-0.8, 0.8) * half }));
  const routine: Stop[] = [];
  for (let i = 0; i < c.routine.jobs; i++) {
    let x: number;
    let y: number;
    if (plan.next() < c.routine.clusteredShare) {
      const k = centres[plan.int(centres.length)];
      x = clamp(k.x + normal(plan) * c.routine.clusterSd, -half, half);
      y = clamp(k.y + normal(plan) * c.routine.clusterSd, -half, half);
    } else {
      x = plan.uniform(-half, half);
      y = plan.uniform(-half, half);
    }
    const place = `r${i}`;
    coords.set(place, { x, y });
    const pickup = plan.next() < c.routine.pickupShare;
    const ready = plan.uniform(0, c.routine.readyUntil);
    const [lo, hi] = pickup ? c.routine.pickupDue : c.routine.deliveryDue;
    routine.push({
      job: `r${i}`,
      kind: pickup ? 'pickup' : 'delivery',
      place,
      qty: intIn(plan, c.routine.qty),
      ready,
      due: ready + plan.uniform(lo, hi),
      service: c.service,
    });
  }
  const u = c.urgent;
  const urgent: FleetDay['urgent'] = [];
  let t = u.from;
  for (;;) {
    t += (-Math.log(1 - jobs.next()) / u.perHour) * 3600;
    if (t >= u.to) break;
    const hot = jobs.next() < u.hotspot.share;
    const x = hot ? clamp(u.hotspot.x + normal(jobs) * u.hotspot.sd, -half, half) : jobs.uniform(-half, half);
    const y = hot ? clamp(u.hotspot.y + normal(jobs) * u.hotspot.sd, -half, half) : jobs.uniform(-half, half);
    const k = urgent.length;
    const place = `u${k}`;
    coords.set(place, { x, y });
    urgent.push({
      arrival: t,
      stop: {
        job: `u${k}`,
        kind: 'pickup',
        place,
        qty: intIn(jobs, u.qty),
        ready: t + jobs.uniform(u.ready[0], u.ready[1]),
        due: t + jobs.uniform(u.due[0], u.due[1]),
        service: c.service,
        priority: u.priority,
      },
    });
  }
  return { seed, coords, routine, urgent };
}

function idleTrucks(c: FleetDayConfig): TruckPlanState[] {
  return Array.from({ length: c.trucks }, (_, i) => ({
    id: `t${i + 1}`,
    home: HOME,
    ...c.truck,
    available: true,
    at: HOME,
    freeAt: 0,
    trips: [],
    loaded: [],
  }));
}

/** The morning plan: the routine jobs planned by the fleet's ALNS from idle trucks at 0 (seeded by the day). */
export function planFleetDay(c: FleetDayConfig, day: FleetDay): FleetDayPlan {
  const travel = travelOf(day);
  const problem = { now: 0, trucks: idleTrucks(c), unassigned: day.routine, travel, latenessCost: c.latenessCost };
  const plan = reoptimise(problem, { seed: day.seed, iterations: c.planIterations });
  const trucks = problem.trucks.map((t, i) => ({ ...t, trips: plan.trucks[i].trips }));
  return { day, trucks, unassigned: plan.unassigned.length, plannedCost: planCost({ ...problem, trucks }).total };
}

/** One truck as an option for the job in hand: its quote, or none when it cannot take it. */
export interface FleetOption {
  truck: number;
  quote?: InsertionQuote;
}

export interface FleetEpisode {
  seed: number;
  /** Realised cost of the whole day (driving + lateness). */
  totalCost: number;
  plannedCost: number;
  urgentJobs: number;
  /** Realised driving, and minutes late weighted by nothing (all jobs) and urgent jobs' minutes late. */
  driving: number;
  lateness: number;
  lateMinutes: number;
  urgentLateMinutes: number;
  unassigned: number;
}

export class FleetEnv {
  readonly day: FleetDay;
  trucks: TruckPlanState[];
  /** Index of the urgent job being decided. */
  step = 0;
  /** Current time: the arrival of the job in hand (or the end of the day). */
  now = 0;
  readonly plannedCost: number;
  readonly unassigned: number;
  /** Cost realised by the trucks so far. */
  readonly realised: PlanCost = zeroCost();
  /** Sum of the chosen quotes' costs. */
  incurred = 0;
  /** Urgent jobs' service start per job id (filled as the trucks set off). */
  private readonly urgentLate = new Map<string, number>();
  readonly travel: (a: string, b: string) => number;

  /**
   * `plan` lets repeated episodes of one day share the (decision-independent)
   * morning plan. `replanIterations` > 0: after each urgent job is placed the
   * whole fleet's remaining plan is re-optimised by ALNS with that many
   * iterations, as the product's `dynamic` policy does after a quiet spell
   * (here at once); the day's cost is then the realised cost, no longer the
   * plan plus the quotes.
   */
  constructor(
    readonly config: FleetDayConfig,
    seed: number,
    plan?: FleetDayPlan,
    readonly replanIterations = 0,
  ) {
    const p = plan ?? planFleetDay(config, generateFleetDay(config, seed));
    this.day = p.day;
    this.trucks = p.trucks.slice();
    this.plannedCost = p.plannedCost;
    this.unassigned = p.unassigned;
    this.travel = travelOf(this.day);
    this.moveTo(this.done ? Infinity : this.day.urgent[0].arrival);
  }

  get ctx(): CostContext {
    return { now: this.now, travel: this.travel, latenessCost: this.config.latenessCost };
  }

  get done(): boolean {
    return this.step >= this.day.urgent.length;
  }

  /** The urgent job in hand. */
  get job(): Stop {
    return this.day.urgent[this.step].stop;
  }

  /** Every truck, in order, with its quote for the job in hand. */
  options(): FleetOption[] {
    const ctx = this.ctx;
    const job = this.job;
    return this.trucks.map((t, i) => {
      const quote = quoteInsertion(t, job, ctx);
      return quote ? { truck: i, quote } : { truck: i };
    });
  }

  /** Gives the job to option `i` (it must have a quote); the trucks drive on to the next arrival. Returns the cost increment. */
  apply(options: readonly FleetOption[], i: number): number {
    if (this.done) throw new Error('episode is over');
    const o = options[i];
    if (!o?.quote) throw new Error(`truck option ${i} cannot take the job`);
    const truck = this.trucks[o.truck];
    this.trucks[o.truck] = { ...truck, trips: insertAt(truck, o.quote, this.job) };
    this.incurred += o.quote.cost;
    if (this.replanIterations > 0) {
      const problem = { ...this.ctx, trucks: this.trucks, unassigned: [] };
      const plan = reoptimise(problem, { seed: this.day.seed * 1000 + this.step, iterations: this.replanIterations });
      if (plan.unassigned.length > 0) throw new Error(`re-plan left ${plan.unassigned.length} jobs unassigned`);
      this.trucks = this.trucks.map((t, k) => ({ ...t, trips: plan.trucks[k].trips }));
    }
    this.step++;
    this.moveTo(this.done ? Infinity : this.day.urgent[this.step].arrival);
    return o.quote.cost;
  }

  /** Plan cost + chosen quotes: what the realised cost will come to (without re-plans). */
  totalCost(): number {
    return this.plannedCost + this.incurred;
  }

  summary(): FleetEpisode {
    if (!this.done) throw new Error('episode is not over');
    let urgentLate = 0;
    for (const l of this.urgentLate.values()) urgentLate += l;
    return {
      seed: this.day.seed,
      totalCost: this.realised.total,
      plannedCost: this.plannedCost,
      urgentJobs: this.day.urgent.length,
      driving: this.realised.driving,
      lateness: this.realised.lateness,
      lateMinutes: this.realised.lateSeconds / 60,
      urgentLateMinutes: urgentLate / 60,
      unassigned: this.unassigned,
    };
  }

  /** Drives every truck to `to` (Infinity: to the end of the day). */
  private moveTo(to: number): void {
    const ctx = this.ctx;
    this.trucks = this.trucks.map((t) => {
      const a = advanceTruck(t, to, ctx);
      addCost(this.realised, a.cost);
      // An urgent pickup is late by the arrival home of its trip.
      const carried = this.carried.get(t.id) ?? [];
      for (const d of a.departures) {
        if (d.kind !== 'home') {
          if (this.servedBy.has(d.job)) throw new Error(`job ${d.job} served twice`);
          this.servedBy.set(d.job, t.id);
        }
        if (d.kind === 'pickup' && this.isUrgent(d.job)) carried.push(d.job);
        else if (d.kind === 'home') {
          for (const j of carried) this.urgentLate.set(j, Math.max(0, d.serviceStart - this.dueOf(j)));
          carried.length = 0;
        }
      }
      this.carried.set(t.id, carried);
      return a.truck;
    });
    if (Number.isFinite(to)) this.now = to;
  }

  /** The truck that served each job, as the trucks set off to them. */
  readonly servedBy = new Map<string, string>();

  /** Urgent pickups on board of each truck, waiting for its arrival home. */
  private readonly carried = new Map<string, string[]>();

  private isUrgent(job: string): boolean {
    return job.startsWith('u');
  }

  private dueOf(job: string): number {
    return this.day.urgent[Number(job.slice(1))].stop.due;
  }
}

/** A dispatch rule: the index of one option with a quote. */
export type FleetPolicy = (env: FleetEnv, options: FleetOption[]) => number;

/**
 * Cheapest insertion as the product's contract-net auction awards it
 * (`bestBid`): the lowest quote; exact ties to the earlier service start
 * (the bid's finish time), then to the lower truck id.
 */
export function cheapestOption(trucks: readonly TruckPlanState[], options: readonly FleetOption[]): number {
  const bids = options.flatMap((o, i) => (o.quote ? [{ from: trucks[o.truck].id, cost: o.quote.cost, finishTime: o.quote.serviceStart, i }] : []));
  const best = bestBid(bids) as (typeof bids)[number] | undefined;
  if (!best) throw new Error('no truck can take the job');
  return best.i;
}

export const cheapestPolicy: FleetPolicy = (env, options) => cheapestOption(env.trucks, options);

/** Plays a whole day with `policy`. */
export function runFleetEpisode(env: FleetEnv, policy: FleetPolicy): FleetEpisode {
  while (!env.done) {
    const options = env.options();
    env.apply(options, policy(env, options));
  }
  return env.summary();
}
