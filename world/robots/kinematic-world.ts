import type { Kernel, Timer } from '../../sim/clock/kernel.js';
import type { Pose, RobotListener, RobotObservation, RobotPort } from '../../agents/ports/robot-port.js';

/** The cobots' bodies, as the scenario's `cobots` section describes them. */
export interface BodyParams {
  /** m/s */
  speed: number;
  batteryWh: number;
  drainWhPerMetre: number;
  /** Drain of electronics and drives standing by, W (not while charging). */
  idleDrainW: number;
  chargeW: number;
  /** Fraction at which the battery monitor warns an idle robot. */
  lowBattery: number;
}

type Activity =
  | { kind: 'move'; goal: string; from: Pose; to: Pose; start: number; end: number; timer: Timer<string> }
  | { kind: 'action'; id: string; action: 'pick' | 'place'; end: number; timer: Timer<string> }
  | { kind: 'charge'; id: string; start: number; end: number; timer: Timer<string> };

interface Body {
  id: string;
  pose: Pose;
  energyWh: number;
  /** Time up to which `energyWh` is accounted. */
  since: number;
  activity?: Activity;
  /** Battery monitor of an idle robot: fires when it reaches the low threshold. */
  monitor?: Timer<string>;
}

/** What the kinematic world counts, read by the KPIs. */
export interface BodyCounters {
  distanceMetres: number;
  movingSeconds: number;
  handlingSeconds: number;
  chargingSeconds: number;
  /** Times a battery ran flat (the kinematic world lets the robot go on). */
  depletions: number;
}

const manhattan = (a: Pose, b: Pose) => Math.abs(a.x - b.x) + Math.abs(a.y - b.y);

/** The point a fraction `f` along the grid path from `a` to `b` (x first, then y). */
function along(a: Pose, b: Pose, f: number): Pose {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const total = Math.abs(dx) + Math.abs(dy);
  if (total === 0) return { x: b.x, y: b.y };
  let s = f * total;
  const sx = Math.min(s, Math.abs(dx));
  s -= sx;
  return { x: a.x + Math.sign(dx) * sx, y: a.y + Math.sign(dy) * s };
}

/**
 * The kinematic/DES cobot world: robots drive along the plant's grid at
 * their nominal speed (travel time = distance / speed), handle loads for
 * the time they are told, drain their battery by distance and by standing
 * time, and charge at a constant power. No collisions, no queues at
 * chargers: a physics world or ROS 2 replaces this behind `RobotPort`.
 * Reports go to the listener from the kernel, never inside a command.
 */
export class KinematicRobotWorld implements RobotPort {
  readonly counters: BodyCounters = { distanceMetres: 0, movingSeconds: 0, handlingSeconds: 0, chargingSeconds: 0, depletions: 0 };
  private bodies = new Map<string, Body>();

  constructor(
    private readonly kernel: Kernel,
    private readonly params: BodyParams,
    private readonly listener: RobotListener,
  ) {}

  /** Puts a robot on the floor, fully charged unless `level` says otherwise. */
  add(robot: string, pose: Pose, level = 1): void {
    if (this.bodies.has(robot)) throw new Error(`robot "${robot}" exists already`);
    const body: Body = { id: robot, pose: { x: pose.x, y: pose.y }, energyWh: level * this.params.batteryWh, since: this.kernel.now };
    this.bodies.set(robot, body);
    this.watch(body);
  }

  /** A robot's pose and battery level now (for tests, viewers and KPIs). */
  state(robot: string): { pose: Pose; level: number; activity?: string } {
    const b = this.body(robot);
    this.account(b);
    const pose = b.activity?.kind === 'move' ? along(b.activity.from, b.activity.to, this.progress(b.activity)) : b.pose;
    return { pose, level: this.level(b), activity: b.activity?.kind };
  }

  navigate(robot: string, goal: { id: string; pose: Pose }): void {
    const b = this.body(robot);
    this.stop(b);
    const now = this.kernel.now;
    const to = { x: goal.pose.x, y: goal.pose.y };
    const end = now + manhattan(b.pose, to) / this.params.speed;
    b.activity = { kind: 'move', goal: goal.id, from: b.pose, to, start: now, end, timer: this.kernel.at(end, this.finish, robot) };
  }

  perform(robot: string, action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void {
    const b = this.body(robot);
    this.stop(b);
    const now = this.kernel.now;
    if (action.kind === 'charge') {
      const seconds = action.seconds ?? ((this.params.batteryWh - b.energyWh) * 3600) / this.params.chargeW;
      b.activity = { kind: 'charge', id: action.id, start: now, end: now + seconds, timer: this.kernel.at(now + seconds, this.finish, robot) };
    } else {
      const end = now + Math.max(0, action.seconds ?? 0);
      this.counters.handlingSeconds += end - now;
      b.activity = { kind: 'action', id: action.id, action: action.kind, end, timer: this.kernel.at(end, this.finish, robot) };
    }
  }

  hold(robot: string): void {
    const b = this.body(robot);
    this.stop(b);
    // Its battery level, so the agent knows what it has left (reported from the kernel, as always).
    b.monitor = this.kernel.at(this.kernel.now, this.warn, robot);
  }

  private body(robot: string): Body {
    const b = this.bodies.get(robot);
    if (!b) throw new Error(`no robot "${robot}" in the kinematic world`);
    return b;
  }

  private level(b: Body): number {
    return b.energyWh / this.params.batteryWh;
  }

  private progress(a: Extract<Activity, { kind: 'move' }>): number {
    return a.end > a.start ? Math.min(1, (this.kernel.now - a.start) / (a.end - a.start)) : 1;
  }

  /** Brings the battery up to now: standing drain, or charge while charging. */
  private account(b: Body): void {
    const now = this.kernel.now;
    const dt = now - b.since;
    if (dt <= 0) return;
    b.since = now;
    if (b.activity?.kind === 'charge') this.addEnergy(b, (this.params.chargeW * dt) / 3600);
    else this.addEnergy(b, -(this.params.idleDrainW * dt) / 3600);
  }

  private addEnergy(b: Body, wh: number): void {
    const before = b.energyWh;
    b.energyWh = Math.min(this.params.batteryWh, Math.max(0, before + wh));
    if (before > 0 && b.energyWh === 0) this.counters.depletions++;
  }

  /** Ends the current activity where it stands: a move stops part-way, a charge keeps what it got. */
  private stop(b: Body): void {
    this.kernel.cancel(b.monitor);
    b.monitor = undefined;
    this.account(b);
    const a = b.activity;
    if (!a) return;
    this.kernel.cancel(a.timer);
    b.activity = undefined;
    if (a.kind === 'move') {
      const f = this.progress(a);
      this.travelled(b, manhattan(a.from, a.to) * f, (a.end - a.start) * f);
      b.pose = along(a.from, a.to, f);
    } else if (a.kind === 'charge') {
      this.counters.chargingSeconds += this.kernel.now - a.start;
    } else {
      this.counters.handlingSeconds -= a.end - this.kernel.now;
    }
  }

  private travelled(b: Body, metres: number, seconds: number): void {
    this.counters.distanceMetres += metres;
    this.counters.movingSeconds += seconds;
    this.addEnergy(b, -metres * this.params.drainWhPerMetre);
  }

  private finish = (robot: string): void => {
    const b = this.body(robot);
    const a = b.activity!;
    this.account(b);
    b.activity = undefined;
    const time = this.kernel.now;
    let done: RobotObservation;
    if (a.kind === 'move') {
      this.travelled(b, manhattan(a.from, a.to), a.end - a.start);
      b.pose = a.to;
      done = { type: 'robot.arrived', goal: a.goal, time };
    } else if (a.kind === 'charge') {
      this.counters.chargingSeconds += a.end - a.start;
      b.energyWh = this.params.batteryWh;
      done = { type: 'robot.charged', time };
    } else {
      done = { type: 'robot.actionDone', action: a.id, time };
    }
    this.watch(b);
    // The level first: the agent decides what to do next on the report that follows.
    this.report(b, { type: 'robot.battery', level: this.level(b), time });
    this.report(b, done);
  };

  /** Arms the battery monitor of an idle robot at the instant it would reach the low threshold. */
  private watch(b: Body): void {
    const low = this.params.lowBattery * this.params.batteryWh;
    // Far enough above the threshold that the alarm's instant is a later one (no float-sized steps).
    if (this.params.idleDrainW <= 0 || b.energyWh - low <= 1e-6) return;
    const at = this.kernel.now + ((b.energyWh - low) * 3600) / this.params.idleDrainW;
    b.monitor = this.kernel.at(at, this.warn, b.id);
  }

  private warn = (robot: string): void => {
    const b = this.body(robot);
    b.monitor = undefined;
    this.account(b);
    this.report(b, { type: 'robot.battery', level: this.level(b), time: this.kernel.now });
    this.watch(b);
  };

  private report(b: Body, obs: RobotObservation): void {
    this.listener(b.id, obs);
  }
}
