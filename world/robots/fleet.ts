import type { Kernel } from '../../sim/clock/kernel.js';
import type { Pose, RobotListener, RobotObservation, RobotPort } from '../../agents/ports/robot-port.js';
import type { Floor } from '../floor/floor.js';
import { LifelongPlanner, type PlannerOptions } from '../planning/online/lifelong-planner.js';
import { Battery } from './battery.js';
import { emptyCounters, type Activity, type Body, type BodyParams } from './body.js';
import { Traffic } from './traffic.js';

export interface FleetOptions extends PlannerOptions {
  /** Seconds between two attempts of a robot waiting for a route or a parking cell. */
  retrySeconds?: number;
}

const EPS = 1e-6;

/**
 * What the kinematic and the physics cobot worlds share: the bodies
 * (battery, actions, charging, breakdowns), the lifelong planner every
 * navigation goes through and the fleet's traffic rules (`traffic.ts`: a
 * robot owns the cell it stands on, waits near a held goal or parks, parks
 * when idle, and a broken robot's cell is planned around).
 *
 * A subclass moves the bodies along their routes (`follow`), says where they
 * are (`poseOf`), and calls `arrived` and `travelled`. Reports go to the
 * listener from kernel events, never inside a command.
 */
export abstract class RobotFleet implements RobotPort {
  readonly counters = emptyCounters();
  readonly planner: LifelongPlanner;
  /** Seconds per plan step: one cell at nominal speed. */
  readonly stepSeconds: number;
  protected readonly bodies = new Map<string, Body>();
  protected readonly list: Body[] = [];
  private readonly battery: Battery;
  private readonly traffic: Traffic;

  constructor(
    protected readonly kernel: Kernel,
    readonly floor: Floor,
    protected readonly params: BodyParams,
    private readonly listener: RobotListener,
    options: FleetOptions = {},
  ) {
    this.planner = new LifelongPlanner(floor, options);
    this.stepSeconds = floor.cellSize / params.speed;
    this.battery = new Battery(kernel, params, this.counters, (b, obs) => this.listener(b.id, obs));
    const host = { follow: (b: Body, s: number) => this.follow(b, s), replanStep: (b: Body) => this.replanStep(b) };
    this.traffic = new Traffic(kernel, floor, this.planner, this.list, this.counters, host, options.retrySeconds ?? Math.max(1, 4 * this.stepSeconds));
  }

  /** The robot's body moves from now along the planner's route, which changed from step `s` on. */
  protected abstract follow(b: Body, s: number): void;
  /** The body appears on `cell`. */
  protected abstract placed(b: Body, cell: number): void;
  protected abstract poseOf(b: Body): Pose;

  /** Puts a robot on the floor at the cell of `pose`, fully charged unless `level` says otherwise. */
  add(robot: string, pose: Pose, level = 1): void {
    if (this.bodies.has(robot)) throw new Error(`robot "${robot}" exists already`);
    const cell = this.floor.cellOf(pose);
    if (cell < 0 || !this.floor.grid.freeIndex(cell)) throw new Error(`robot "${robot}" cannot stand at (${pose.x}, ${pose.y}): off the floor or on an obstacle`);
    const b: Body = { id: robot, index: this.list.length, energyWh: level * this.params.batteryWh, since: this.kernel.now, loaded: false, parking: false, faulted: false };
    this.planner.add(b.index, cell, this.stepNow());
    this.bodies.set(robot, b);
    this.list.push(b);
    this.placed(b, cell);
    this.battery.watch(b);
  }

  /** A robot's pose and battery level now (for tests, viewers and KPIs). */
  state(robot: string): { pose: Pose; level: number; activity?: string } {
    const b = this.body(robot);
    this.battery.account(b);
    return { pose: this.poseOf(b), level: this.battery.level(b), activity: b.activity?.kind ?? (b.faulted ? 'fault' : b.parking ? 'park' : undefined) };
  }

  /**
   * What a viewer shows of a robot now, without touching the simulation:
   * `state` settles the battery's account, which splits its floating-point
   * sums and could change a run; this projects the level instead.
   */
  peek(robot: string): { pose: Pose; level: number; activity?: string; path: Pose[] } {
    const b = this.body(robot);
    const dt = this.kernel.now - b.since;
    const rate = b.activity?.kind === 'charge' ? this.params.chargeW : -this.params.idleDrainW;
    const energy = Math.min(this.params.batteryWh, Math.max(0, b.energyWh + (dt > 0 ? (rate * dt) / 3600 : 0)));
    const route = this.planner.route(b.index);
    const step = this.kernel.now / this.stepSeconds;
    const path: Pose[] = [];
    for (let k = 0; k < route.cells.length; k++) {
      if (route.steps[k] > step && route.cells[k] !== route.cells[k - 1]) path.push(this.floor.centre(route.cells[k]));
    }
    return {
      pose: this.poseOf(b),
      level: energy / this.params.batteryWh,
      activity: b.activity?.kind ?? (b.faulted ? 'fault' : b.parking ? 'park' : undefined),
      path,
    };
  }

  navigate(robot: string, goal: { id: string; pose: Pose }): void {
    const b = this.body(robot);
    if (b.faulted) return;
    const cell = this.floor.cellOf(goal.pose);
    this.release(b);
    if (cell < 0 || !this.floor.grid.freeIndex(cell)) {
      // Reported from the kernel, as every report; the robot stays where it is.
      const reason = `(${goal.pose.x}, ${goal.pose.y}) is off the cobots' floor or on an obstacle`;
      this.kernel.at(this.kernel.now, (time) => this.listener(b.id, { type: 'robot.blocked', goal: goal.id, reason, time }), this.kernel.now);
      return;
    }
    b.activity = { kind: 'move', goal: goal.id, cell, routed: false, charger: this.floor.isCharger(cell) };
    if (!this.traffic.seek(b)) this.counters.waits++;
  }

  perform(robot: string, action: { id: string; kind: 'pick' | 'place' | 'charge'; seconds?: number }): void {
    const b = this.body(robot);
    if (b.faulted) return;
    this.release(b);
    if (!this.planner.standsAt(b.index, this.stepNow())) this.traffic.halt(b);
    const now = this.kernel.now;
    if (action.kind === 'charge') {
      const seconds = action.seconds ?? this.battery.secondsToFull(b);
      b.activity = { kind: 'charge', id: action.id, start: now, end: now + seconds, timer: this.kernel.at(now + seconds, this.finish, robot) };
    } else {
      const end = now + Math.max(0, action.seconds ?? 0);
      this.counters.handlingSeconds += end - now;
      b.activity = { kind: 'action', id: action.id, action: action.kind, end, timer: this.kernel.at(end, this.finish, robot) };
    }
  }

  /** Stops what the robot does; it then parks (out of everyone's way) and reports its battery. */
  hold(robot: string): void {
    const b = this.body(robot);
    this.release(b);
    this.battery.reportNow(b);
    this.traffic.settle(b);
  }

  /** The robot breaks down: it stops on its next cell and reports a fault (from a kernel event). */
  fault(robot: string, reason: string): void {
    const b = this.body(robot);
    if (b.faulted) return;
    this.release(b);
    b.faulted = true;
    b.parking = false;
    this.counters.breakdowns++;
    this.traffic.halt(b);
    this.listener(b.id, { type: 'robot.fault', reason, time: this.kernel.now });
  }

  /** The robot works again (from a kernel event). */
  repair(robot: string): void {
    const b = this.body(robot);
    if (!b.faulted) return;
    b.faulted = false;
    this.battery.account(b);
    this.battery.watch(b);
    this.listener(b.id, { type: 'robot.recovered', time: this.kernel.now });
    this.idle(b);
  }

  isFaulted(robot: string): boolean {
    return this.body(robot).faulted;
  }

  /** The plan step now, or the next one when between two. */
  protected stepNow(): number {
    return Math.ceil(this.kernel.now / this.stepSeconds - EPS);
  }

  /** The first step a new route of `b` may start at: now if it stands, else the next step it has not begun. */
  protected replanStep(b: Body): number {
    const s = this.stepNow();
    return this.planner.standsAt(b.index, s) ? s : Math.floor(this.kernel.now / this.stepSeconds + EPS) + 1;
  }

  protected body(robot: string): Body {
    const b = this.bodies.get(robot);
    if (!b) throw new Error(`no robot "${robot}" on the floor`);
    return b;
  }

  /** The body reached the end of its route and stands there (called from a kernel event). */
  protected arrived(b: Body): void {
    const a = b.activity;
    if (a?.kind === 'move' && a.routed) {
      this.battery.account(b);
      b.activity = undefined;
      this.battery.watch(b);
      const time = this.kernel.now;
      // The level first: the agent decides what to do next on the report that follows.
      this.listener(b.id, { type: 'robot.battery', level: this.battery.level(b), time });
      this.listener(b.id, { type: 'robot.arrived', goal: a.goal, time });
      this.idle(b);
    } else if (!a && !b.faulted) {
      b.parking = false;
      this.battery.account(b);
      this.battery.watch(b);
    }
  }

  /** The body drove `metres` in `seconds`: drain by distance and load. */
  protected travelled(b: Body, metres: number, seconds: number): void {
    this.counters.distanceMetres += metres;
    this.counters.movingSeconds += seconds;
    this.battery.drive(b, metres);
  }

  /**
   * After a report: a robot its agent left without a command parks one step
   * later (an agent answering a little late, over a real bus, still finds
   * it where it reported from).
   */
  private idle(b: Body): void {
    if (!b.activity && !b.faulted) this.traffic.retryLater(b, this.stepSeconds);
  }

  /** Ends the current activity: a charge keeps what it got, an unfinished handling is not counted. */
  private release(b: Body): void {
    this.kernel.cancel(b.monitor);
    b.monitor = undefined;
    this.traffic.forget(b);
    this.battery.account(b);
    const a = b.activity;
    b.activity = undefined;
    if (!a || a.kind === 'move') return;
    this.kernel.cancel(a.timer);
    if (a.kind === 'charge') this.counters.chargingSeconds += this.kernel.now - a.start;
    else this.counters.handlingSeconds -= a.end - this.kernel.now;
  }

  private finish = (robot: string): void => {
    const b = this.body(robot);
    const a = b.activity as Exclude<Activity, { kind: 'move' }>;
    this.battery.account(b);
    b.activity = undefined;
    const time = this.kernel.now;
    let done: RobotObservation;
    if (a.kind === 'charge') {
      this.counters.chargingSeconds += a.end - a.start;
      this.battery.full(b);
      done = { type: 'robot.charged', time };
    } else {
      b.loaded = a.action === 'pick';
      done = { type: 'robot.actionDone', action: a.id, time };
    }
    this.battery.watch(b);
    this.listener(b.id, { type: 'robot.battery', level: this.battery.level(b), time });
    this.listener(b.id, done);
    this.idle(b);
  };
}
