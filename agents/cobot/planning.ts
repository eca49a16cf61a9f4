import type { Pose } from '../ports/robot-port.js';
import type { TaskSpec } from '../robotics/task-spec.js';

/**
 * A cobot's own model of its body, for pricing bids and deciding when to
 * charge. These are estimates (mean handling time, nominal speed and drain);
 * the world draws the real durations and reports the real battery level.
 */
export interface CobotModel {
  /** Nominal driving speed, m/s. */
  speed: number;
  batteryWh: number;
  drainWhPerMetre: number;
  idleDrainW: number;
  chargeW: number;
  /** Fraction of the battery below which the cobot goes to charge. */
  lowBattery: number;
  /** Places the cobot can charge at; empty: it charges at home. */
  chargers: readonly NamedPose[];
  home: NamedPose;
}

export interface NamedPose {
  id: string;
  pose: Pose;
}

/** Where and when the cobot will be, and with how much energy, once some work is done. */
export interface PlanPoint {
  time: number;
  pose: Pose;
  energyWh: number;
}

/** The stage of a task a cobot is in: the remaining work is priced from its start. */
export type TaskStage = 'toPickup' | 'picking' | 'toDropoff' | 'placing';

/** Driving distance on the plant's grid (Manhattan), as the layout measures it. */
export function distance(a: Pose, b: Pose): number {
  return Math.abs(a.x - b.x) + Math.abs(a.y - b.y);
}

/** Where the cobot charges from `pose`: the nearest charger (lowest id on ties), or home. */
export function nearestCharger(model: CobotModel, pose: Pose): NamedPose {
  let best: NamedPose | undefined;
  let bestD = Infinity;
  for (const c of model.chargers) {
    const d = distance(pose, c.pose);
    if (d < bestD || (d === bestD && best && c.id < best.id)) {
      best = c;
      bestD = d;
    }
  }
  return best ?? model.home;
}

/** Moves and idles from `p` for `metres` and `seconds`; energy never goes below zero. */
function spend(model: CobotModel, p: PlanPoint, pose: Pose, metres: number, seconds: number): PlanPoint {
  const used = metres * model.drainWhPerMetre + (model.idleDrainW * seconds) / 3600;
  return { time: p.time + seconds, pose, energyWh: Math.max(0, p.energyWh - used) };
}

/** Drives to the nearest charger and charges to full. */
export function chargePlan(model: CobotModel, p: PlanPoint): PlanPoint {
  const charger = nearestCharger(model, p.pose);
  const d = distance(p.pose, charger.pose);
  const there = spend(model, p, charger.pose, d, d / model.speed);
  const seconds = ((model.batteryWh - there.energyWh) * 3600) / model.chargeW;
  return { time: there.time + seconds, pose: charger.pose, energyWh: model.batteryWh };
}

/** The rest of a task from the start of `stage`, with no charging on the way. */
export function stagePlan(model: CobotModel, p: PlanPoint, task: TaskSpec, stage: TaskStage): PlanPoint {
  const h = task.handlingSeconds;
  let q = p;
  if (stage === 'toPickup') {
    const d = distance(q.pose, task.fromPose);
    q = spend(model, q, task.fromPose, d, d / model.speed);
  }
  if (stage === 'toPickup' || stage === 'picking') q = spend(model, q, task.fromPose, 0, h);
  if (stage !== 'placing') {
    const d = distance(task.fromPose, task.toPose);
    q = spend(model, q, task.toPose, d, d / model.speed);
  }
  return spend(model, q, task.toPose, 0, h);
}

const FULL = 1 - 1e-9;

/**
 * Whether the cobot should charge before starting `task` from `p`: the task
 * would take the battery below the low threshold. A full battery never
 * charges first, so a task longer than a charge cannot loop the cobot.
 */
export function chargeFirst(model: CobotModel, p: PlanPoint, task: TaskSpec): boolean {
  if (p.energyWh >= model.batteryWh * FULL) return false;
  return stagePlan(model, p, task, 'toPickup').energyWh < model.lowBattery * model.batteryWh;
}

/** A whole task from `p`, with the charging detour first when the battery needs it. */
export function taskPlan(model: CobotModel, p: PlanPoint, task: TaskSpec): PlanPoint {
  return stagePlan(model, chargeFirst(model, p, task) ? chargePlan(model, p) : p, task, 'toPickup');
}

/** When a queue of tasks would be done, starting from `p`. */
export function queuePlan(model: CobotModel, p: PlanPoint, tasks: readonly TaskSpec[]): PlanPoint {
  return tasks.reduce((q, t) => taskPlan(model, q, t), p);
}
