import type { Kernel, Timer } from '../../sim/clock/kernel.js';
import type { Pose, RobotListener } from '../../agents/ports/robot-port.js';
import type { Floor } from '../floor/floor.js';
import { intervalFrom, mayEnter } from '../planning/online/execution.js';
import type { Body, BodyParams } from '../robots/body.js';
import { RobotFleet, type FleetOptions } from '../robots/fleet.js';
import { MatterFloor } from './matter-floor.js';
import { RouteFollower, type DriveLimits } from './route-follower.js';

export interface PhysicsParams extends BodyParams, DriveLimits {
  /** m: a disc; under half a cell, so bodies in cells planned apart never touch. */
  radius: number;
  /** kg */
  mass: number;
}

export interface PhysicsOptions extends FleetOptions {
  /** Fixed time step of the physics, s. */
  tickSeconds?: number;
}

const EPS = 1e-9;

/**
 * The physics cobot world (`run --mode physics`): every cobot is a disc in a
 * matter-js world (no gravity: a top view) that a route follower drives by
 * velocity commands within its speed and acceleration limits. The world
 * steps on the kernel at a fixed tick while some robot has somewhere to go,
 * and not at all while every robot stands.
 *
 * Plans come from the shared lifelong planner; the bodies run late against
 * them (they accelerate, brake, get pushed), so execution follows the rule
 * of `planning/online/execution.ts`: a robot drives into the next cell of
 * its route only once the plan's time for that move has come and the cell's
 * previous occupant in the plan has left it. Contacts between two cobots
 * are counted as `collisions`.
 */
export class PhysicsRobotWorld extends RobotFleet {
  readonly matter: MatterFloor;
  readonly tickSeconds: number;
  private followers: RouteFollower[] = [];
  private bodyOf: number[] = [];
  /** Robots the physics drives: with somewhere to go, or pushed off their cell. */
  private active: boolean[] = [];
  /** Robots whose route's end is to be reported when they get there. */
  private pending: boolean[] = [];
  /** Until when a robot is held back (injected delays in tests). */
  private stalls: number[] = [];
  /** Index of the next tick on the grid of tick times. */
  private ticks = 0;
  private stepped = 0;
  private timer?: Timer<null>;
  private readonly gateOf = (r: number) => this.followers[r].reached;

  constructor(kernel: Kernel, floor: Floor, private readonly physics: PhysicsParams, listener: RobotListener, options: PhysicsOptions = {}) {
    super(kernel, floor, physics, listener, options);
    this.tickSeconds = options.tickSeconds ?? 0.1;
    this.matter = new MatterFloor(this.tickSeconds, floor);
  }

  /** Holds a robot where it is for `seconds` (a person in the way): the rest of the fleet must cope. */
  stall(robot: string, seconds: number): void {
    const b = this.body(robot);
    this.stalls[b.index] = this.kernel.now + seconds;
    this.active[b.index] = true;
    this.wake();
  }

  /** Physics steps taken so far. */
  get steps(): number {
    return this.stepped;
  }

  protected placed(b: Body, cell: number): void {
    const c = this.floor.centre(cell);
    this.bodyOf[b.index] = this.matter.addCobot(c.x, c.y, this.physics);
    this.followers[b.index] = new RouteFollower(this.floor, this.planner.route(b.index));
    this.active[b.index] = false;
    this.pending[b.index] = false;
    this.stalls[b.index] = 0;
  }

  protected follow(b: Body): void {
    this.followers[b.index].setRoute(this.planner.route(b.index));
    this.active[b.index] = true;
    this.pending[b.index] = true;
    this.wake();
  }

  protected poseOf(b: Body): Pose {
    const k = this.bodyOf[b.index];
    return { x: this.matter.x(k), y: this.matter.y(k) };
  }

  /** Schedules the next tick (on the grid of tick times) unless one is pending. */
  private wake(): void {
    if (this.timer) return;
    const k = Math.max(this.ticks, Math.ceil(this.kernel.now / this.tickSeconds - EPS));
    this.timer = this.kernel.at(Math.max(this.kernel.now, k * this.tickSeconds), this.tick, null);
  }

  private tick = (): void => {
    this.timer = undefined;
    this.ticks = Math.round(this.kernel.now / this.tickSeconds) + 1;
    this.stepped++;
    const now = this.kernel.now;
    const planStep = now / this.stepSeconds + EPS;
    const dt = this.tickSeconds;
    const { matter } = this;
    const before: number[] = [];
    for (const b of this.list) {
      const r = b.index;
      const k = this.bodyOf[r];
      before.push(matter.x(k), matter.y(k));
      if (!this.active[r]) continue;
      const f = this.followers[r];
      if (this.stalls[r] > now) {
        const [vx, vy] = f.command(matter.x(k), matter.y(k), matter.vx(k), matter.vy(k), dt, { maxSpeed: 0, maxAcceleration: this.physics.maxAcceleration });
        matter.setVelocity(k, vx, vy);
        continue;
      }
      this.commit(r, f, planStep);
      const [vx, vy] = f.command(matter.x(k), matter.y(k), matter.vx(k), matter.vy(k), dt, this.physics);
      matter.setVelocity(k, vx, vy);
    }
    matter.step();
    const arrivals: Body[] = [];
    let busy = false;
    for (const b of this.list) {
      const r = b.index;
      const k = this.bodyOf[r];
      const x = matter.x(k);
      const y = matter.y(k);
      const metres = Math.hypot(x - before[2 * r], y - before[2 * r + 1]);
      if (metres > 1e-6) this.travelled(b, metres, metres > 0.005 * dt ? dt : 0);
      if (!this.active[r]) {
        // Pushed while it stood: wake it, so it drives back onto its cell.
        if (metres > 1e-4) this.active[r] = busy = true;
        continue;
      }
      const f = this.followers[r];
      f.track(x, y);
      if (f.committed === f.last && f.settled(x, y, Math.hypot(matter.vx(k), matter.vy(k))) && this.stalls[r] <= now) {
        matter.setVelocity(k, 0, 0);
        this.active[r] = false;
        if (this.pending[r]) arrivals.push(b);
        this.pending[r] = false;
      } else busy = true;
    }
    this.counters.collisions = matter.collisions;
    for (const b of arrivals) {
      this.planner.forget(b.index, this.followers[b.index].reached);
      this.arrived(b);
    }
    if (busy || this.active.some(Boolean)) this.wake();
  };

  /** Extends what robot r may drive to: moves whose plan time has come, into cells their previous occupant left. */
  private commit(r: number, f: RouteFollower, planStep: number): void {
    while (f.committed < f.last) {
      const k = f.committed + 1;
      const step = f.step(k);
      if (step - 1 > planStep) return;
      if (f.cell(k) !== f.cell(k - 1)) {
        const iv = intervalFrom(this.planner.table, r, step);
        if (iv && !mayEnter(this.planner.table, iv, this.gateOf)) return;
      }
      f.committed = k;
    }
  }
}
