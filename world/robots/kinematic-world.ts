import type { Kernel, Timer } from '../../sim/clock/kernel.js';
import type { Pose, RobotListener } from '../../agents/ports/robot-port.js';
import type { Floor } from '../floor/floor.js';
import { endStep, movesBetween, waypointAt } from '../planning/online/route.js';
import type { Body, BodyParams } from './body.js';
import { RobotFleet, type FleetOptions } from './fleet.js';

export type { BodyParams } from './body.js';
export type { BodyCounters } from './body.js';

const EPS = 1e-6;

/**
 * The kinematic/DES cobot world: robots drive their planned routes exactly
 * on time, one cell per `cellSize / speed` seconds, so travel time is the
 * planned path's (detours and waits included) and the plan's freedom from
 * conflicts is the floor's. One kernel event per route (its end), none per
 * cell. Each committed plan is audited against everyone's reservations;
 * the conflicts found (none, for a correct planner) are its `collisions`.
 * A physics world or ROS 2 replaces this behind `RobotPort`.
 */
export class KinematicRobotWorld extends RobotFleet {
  private timers: (Timer<Body> | undefined)[] = [];
  /** Plan step up to which each robot's moves have been counted. */
  private counted: number[] = [];
  /** Robots whose new plans are audited once the command that made them is over (plans change together). */
  private unaudited = new Map<number, number>();
  private audit?: Timer<null>;

  constructor(kernel: Kernel, floor: Floor, params: BodyParams, listener: RobotListener, options: FleetOptions = {}) {
    super(kernel, floor, params, listener, options);
  }

  protected placed(b: Body): void {
    this.counted[b.index] = this.stepNow();
  }

  protected follow(b: Body, s: number): void {
    this.count(b, Math.floor(this.kernel.now / this.stepSeconds + EPS));
    this.unaudited.set(b.index, Math.min(s, this.unaudited.get(b.index) ?? s));
    this.audit ??= this.kernel.at(this.kernel.now, this.check, null);
    this.kernel.cancel(this.timers[b.index]);
    const end = endStep(this.planner.route(b.index));
    this.timers[b.index] = this.kernel.at(Math.max(this.kernel.now, end * this.stepSeconds), this.end, b);
  }

  protected poseOf(b: Body): Pose {
    const route = this.planner.route(b.index);
    const t = this.kernel.now / this.stepSeconds;
    const k = waypointAt(route, Math.floor(t + EPS));
    const here = this.floor.centre(route.cells[k]);
    if (k + 1 >= route.cells.length || route.cells[k + 1] === route.cells[k]) return here;
    const f = Math.min(1, Math.max(0, t - route.steps[k]));
    const next = this.floor.centre(route.cells[k + 1]);
    return { x: here.x + (next.x - here.x) * f, y: here.y + (next.y - here.y) * f };
  }

  /** Counts the moves completed up to step `upTo`: distance, driving time, battery. */
  private count(b: Body, upTo: number): void {
    const from = this.counted[b.index];
    if (upTo <= from) return;
    const moves = movesBetween(this.planner.route(b.index), from, upTo);
    this.counted[b.index] = upTo;
    if (moves > 0) this.travelled(b, moves * this.floor.cellSize, moves * this.stepSeconds);
    // Cells it left before the step it is in are of no use to anyone's plan any more.
    this.planner.forget(b.index, upTo - 1);
  }

  private check = (): void => {
    this.audit = undefined;
    for (const [r, s] of this.unaudited) this.counters.collisions += this.planner.table.conflicts(r, s);
    this.unaudited.clear();
  };

  private end = (b: Body): void => {
    this.timers[b.index] = undefined;
    this.count(b, endStep(this.planner.route(b.index)));
    this.arrived(b);
  };
}
