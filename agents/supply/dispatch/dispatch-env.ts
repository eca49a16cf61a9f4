import { generateDay, type Day, type DispatchConfig, type Stop } from './day.js';
import { anchorAt, cheapestInsertion, routeCost, timetable, type Timetable } from './route.js';

/**
 * The dispatch decision as an episode: a day of deliveries in which urgent
 * jobs appear one by one and each must go, when it appears, to one truck
 * (inserted at its cheapest feasible place in the part of the route not yet
 * driven) or to a courier at a fixed price.
 *
 * Trucks move along their timetables between decisions: the state at a
 * decision is each truck's timetable and the time, and "where the truck is"
 * is the first stop it has not left yet (`anchorAt`). Travel times are
 * deterministic, so a decision's cost increment is exact when it is made:
 * the day's total is the plan's cost plus the sum of the increments.
 */

export interface TruckState {
  route: Stop[];
  timetable: Timetable;
}

export type Option =
  | { kind: 'truck'; truck: number; feasible: true; delta: number; route: Stop[]; timetable: Timetable; addedLate: number }
  | { kind: 'truck'; truck: number; feasible: false }
  | { kind: 'courier'; feasible: true; delta: number };

export interface StepResult {
  /** Cost increment of the decision (the reward is its negative). */
  cost: number;
  done: boolean;
}

export interface EpisodeSummary {
  seed: number;
  totalCost: number;
  plannedCost: number;
  urgentJobs: number;
  couriers: number;
  lateMinutes: number;
  /** Planned customers no truck could take at planning time (sent by courier too; same for every policy). */
  unplanned: number;
}

/**
 * Builds the morning plan: best-first cheapest insertion over all trucks
 * (hard windows). Each stop's best insertion per truck is cached and only
 * the column of the truck that changed is recomputed.
 */
export function planDay(c: DispatchConfig, day: Day): { trucks: TruckState[]; unplanned: Stop[] } {
  const trucks: TruckState[] = Array.from({ length: c.trucks }, () => {
    const route = [day.depot, day.depot];
    return { route, timetable: timetable(route, c.truck) };
  });
  const insert = (stop: Stop, k: number) => cheapestInsertion(trucks[k].route, trucks[k].timetable, stop, 0, c.truck, c.latePenaltyPerMinute);
  let left = day.planned.map((stop) => ({ stop, best: trucks.map((_, k) => insert(stop, k)) }));
  const unplanned: Stop[] = [];
  while (left.length > 0) {
    let pick: { entry: (typeof left)[number]; truck: number } | undefined;
    for (const entry of left) {
      entry.best.forEach((ins, k) => {
        if (ins && (!pick || ins.delta < pick.entry.best[pick.truck]!.delta - 1e-9)) pick = { entry, truck: k };
      });
    }
    // Routes only grow, so a stop that fits no truck now will (almost) never fit: it goes unplanned.
    for (const e of left) if (e.best.every((b) => !b)) unplanned.push(e.stop);
    if (!pick) break;
    const { entry, truck } = pick;
    const ins = entry.best[truck]!;
    trucks[truck] = { route: ins.route, timetable: ins.timetable };
    left = left.filter((e) => e !== entry && e.best.some((b) => b));
    for (const e of left) e.best[truck] = insert(e.stop, truck);
  }
  return { trucks, unplanned };
}

export class DispatchEnv {
  readonly day: Day;
  trucks: TruckState[];
  /** Index of the urgent job being decided. */
  step = 0;
  readonly plannedCost: number;
  readonly unplanned: number;
  private incurred = 0;
  couriers = 0;

  /** `plan` lets repeated episodes of one day share the (action-independent) morning plan. */
  constructor(
    readonly config: DispatchConfig,
    seed: number,
    plan?: { day: Day; trucks: TruckState[]; unplanned: number },
  ) {
    if (plan) {
      this.day = plan.day;
      this.trucks = plan.trucks.slice();
      this.unplanned = plan.unplanned;
    } else {
      this.day = generateDay(config, seed);
      const p = planDay(config, this.day);
      this.trucks = p.trucks;
      this.unplanned = p.unplanned.length;
    }
    this.plannedCost = this.trucks.reduce((s, t) => s + routeCost(t.timetable, config.truck, config.latePenaltyPerMinute), 0) + this.unplanned * config.courierCost;
  }

  /** The plan of this day, to hand to further episodes of the same day. */
  snapshotPlan(): { day: Day; trucks: TruckState[]; unplanned: number } {
    return { day: this.day, trucks: this.trucks.slice(), unplanned: this.unplanned };
  }

  get done(): boolean {
    return this.step >= this.day.urgent.length;
  }

  /** The urgent job being decided. */
  get job(): Stop {
    return this.day.urgent[this.step];
  }

  /** Current time: the job's arrival. */
  get now(): number {
    return this.job.release;
  }

  /** Every truck (feasible or not, in truck order) and then the courier. */
  options(): Option[] {
    const c = this.config;
    const job = this.job;
    const out: Option[] = this.trucks.map((t, k) => {
      const ins = cheapestInsertion(t.route, t.timetable, job, anchorAt(t.timetable, job.release), c.truck, c.latePenaltyPerMinute);
      if (!ins) return { kind: 'truck', truck: k, feasible: false };
      return { kind: 'truck', truck: k, feasible: true, delta: ins.delta, route: ins.route, timetable: ins.timetable, addedLate: ins.timetable.lateMinutes - t.timetable.lateMinutes };
    });
    out.push({ kind: 'courier', feasible: true, delta: c.courierCost });
    return out;
  }

  /** Commits the chosen option (one of `options()`, which must be feasible) and moves to the next job. */
  apply(option: Option): StepResult {
    if (this.done) throw new Error('episode is over');
    if (!option.feasible) throw new Error('infeasible option chosen');
    if (option.kind === 'truck') this.trucks[option.truck] = { route: option.route, timetable: option.timetable };
    else this.couriers++;
    this.incurred += option.delta;
    this.step++;
    return { cost: option.delta, done: this.done };
  }

  /** Total cost of the day so far: the plan, the increments, every truck's timetable agreeing with both. */
  totalCost(): number {
    return this.plannedCost + this.incurred;
  }

  /** Recomputes the cost from the final routes (a check on the increments). */
  recomputedCost(): number {
    const c = this.config;
    const trucks = this.trucks.reduce((s, t) => s + routeCost(timetable(t.route, c.truck), c.truck, c.latePenaltyPerMinute), 0);
    return trucks + (this.couriers + this.unplanned) * c.courierCost;
  }

  summary(): EpisodeSummary {
    return {
      seed: this.day.seed,
      totalCost: this.totalCost(),
      plannedCost: this.plannedCost,
      urgentJobs: this.day.urgent.length,
      couriers: this.couriers,
      lateMinutes: this.trucks.reduce((s, t) => s + t.timetable.lateMinutes, 0),
      unplanned: this.unplanned,
    };
  }
}

/** A dispatch rule: picks the index of one feasible option. */
export type Policy = (env: DispatchEnv, options: Option[]) => number;

/** Runs a whole day with `policy`. */
export function runEpisode(env: DispatchEnv, policy: Policy): EpisodeSummary {
  while (!env.done) {
    const options = env.options();
    const i = policy(env, options);
    env.apply(options[i]);
  }
  return env.summary();
}
