import type { Floor } from '../floor/floor.js';
import { waypointAt, type Route } from '../planning/online/route.js';

export interface DriveLimits {
  /** m/s: above the planning speed, so a robot held back can catch up with its plan. */
  maxSpeed: number;
  /** m/s² */
  maxAcceleration: number;
}

/** Within this distance (m) of a waypoint along the route, the robot has reached it. */
export const REACH_TOLERANCE = 0.1;
/** Pure-pursuit look-ahead along the route, m. */
const LOOKAHEAD = 0.3;
/** Braking is planned at this fraction of the maximum deceleration, for margin. */
const BRAKING = 0.8;
/** Speed through a right-angle turn, m/s (a U-turn stops): the turn then stays within a few centimetres of the cells. */
const TURN_SPEED = 0.2;

/**
 * Follows one robot's planned route with a pure-pursuit controller on
 * velocity: it steers at a point a little ahead on the route (never round a
 * corner: it slows down for turns and drives them), drives at the
 * highest speed from which it can still stop (at 80 % of its deceleration)
 * on the last waypoint it may drive to, within the speed and acceleration
 * limits. Which waypoints it may drive to is the caller's rule (`commit`):
 * never before the plan's time, and only into a cell its previous occupant
 * has left. `reached` is the plan step of the last waypoint the body got to.
 */
export class RouteFollower {
  private xs: number[] = [];
  private ys: number[] = [];
  /** Distance along the route at each waypoint, m. */
  private arc: number[] = [];
  /** Speed allowed at each waypoint for the turn there (Infinity: straight on). */
  private turn: number[] = [];
  private route!: Route;
  /** Index of the last waypoint the robot may drive to. */
  committed = 0;
  /** Index of the waypoint starting the segment the body is on. */
  private seg = 0;
  /** The body's distance along the route, m. */
  private s = 0;
  /** Plan step of the last waypoint the body reached. */
  reached: number;

  constructor(
    private readonly floor: Floor,
    route: Route,
  ) {
    this.reached = route.steps[0];
    this.setRoute(route);
  }

  get last(): number {
    return this.route.cells.length - 1;
  }

  /** The route changed (same past, new future): keeps what was committed and reached, by plan step. */
  setRoute(route: Route): void {
    const committedStep = this.route ? this.route.steps[this.committed] : route.steps[0];
    const segStep = this.route ? this.route.steps[this.seg] : route.steps[0];
    this.route = route;
    const n = route.cells.length;
    this.xs = new Array(n);
    this.ys = new Array(n);
    this.arc = new Array(n);
    for (let k = 0; k < n; k++) {
      const c = this.floor.centre(route.cells[k]);
      this.xs[k] = c.x;
      this.ys[k] = c.y;
      this.arc[k] = k === 0 ? 0 : this.arc[k - 1] + Math.hypot(c.x - this.xs[k - 1], c.y - this.ys[k - 1]);
    }
    this.turn = new Array(n).fill(Infinity);
    // Direction of the last move into waypoint k, and of the next move out of it (waits skipped).
    let inX = 0;
    let inY = 0;
    for (let k = 1; k < n; k++) {
      const dx = this.xs[k] - this.xs[k - 1];
      const dy = this.ys[k] - this.ys[k - 1];
      if (dx === 0 && dy === 0) continue;
      if (inX !== 0 || inY !== 0) {
        // The corner is the waypoint this move starts from (the last one at the previous position).
        const dot = inX * dx + inY * dy;
        if (dot <= 0) this.turn[k - 1] = dot < 0 ? 0 : TURN_SPEED;
      }
      inX = dx;
      inY = dy;
    }
    this.committed = Math.min(waypointAt(route, committedStep), n - 1);
    this.seg = Math.min(waypointAt(route, segStep), this.committed);
  }

  /** Plan step of waypoint k, and its cell. */
  step(k: number): number {
    return this.route.steps[k];
  }

  cell(k: number): number {
    return this.route.cells[k];
  }

  /** Whether the body has driven everything it may and stands on its last committed waypoint. */
  settled(x: number, y: number, speed: number): boolean {
    const k = this.committed;
    return Math.hypot(this.xs[k] - x, this.ys[k] - y) < REACH_TOLERANCE && speed < 0.05;
  }

  /** Updates the body's progress from its position: the segment it is on and the waypoints reached. */
  track(x: number, y: number): void {
    const { xs, ys, arc } = this;
    for (;;) {
      const k = this.seg;
      if (k >= this.committed) {
        this.s = arc[k] - Math.hypot(xs[k] - x, ys[k] - y);
        break;
      }
      const len = arc[k + 1] - arc[k];
      const t = len > 0 ? ((x - xs[k]) * (xs[k + 1] - xs[k]) + (y - ys[k]) * (ys[k + 1] - ys[k])) / (len * len) : 1;
      if (t >= 1 || (len > 0 && arc[k + 1] - (arc[k] + t * len) < REACH_TOLERANCE)) {
        this.seg++;
        continue;
      }
      this.s = arc[k] + Math.max(0, t) * len;
      break;
    }
    let r = this.seg;
    while (r + 1 <= this.committed && arc[r + 1] - this.s < REACH_TOLERANCE) r++;
    this.reached = this.route.steps[Math.max(r, this.seg)];
  }

  /** The velocity command (m/s) for a body at (x, y) moving at (vx, vy), over a tick of `dt` s. */
  command(x: number, y: number, vx: number, vy: number, dt: number, limits: DriveLimits): [number, number] {
    const k = this.committed;
    const remaining = this.arc[k] - this.s;
    let cx: number;
    let cy: number;
    if (remaining < REACH_TOLERANCE) {
      // Station keeping on the waypoint: proportional on the position error.
      const gain = 1 / Math.max(dt, 0.5);
      cx = (this.xs[k] - x) * gain;
      cy = (this.ys[k] - y) * gain;
    } else {
      const brake = 2 * BRAKING * limits.maxAcceleration;
      let speed = Math.min(limits.maxSpeed, Math.sqrt(brake * remaining));
      // Slow enough for the turns ahead (within what it may drive).
      for (let j = this.seg + 1; j < k; j++) {
        // At the turn speed already where it takes the corner as reached.
        if (this.turn[j] !== Infinity) speed = Math.min(speed, Math.sqrt(this.turn[j] ** 2 + brake * Math.max(0, this.arc[j] - REACH_TOLERANCE - this.s)));
      }
      const [px, py] = this.pointAt(Math.min(this.s + LOOKAHEAD, this.arc[k]));
      const d = Math.hypot(px - x, py - y);
      cx = d > 1e-9 ? ((px - x) / d) * speed : 0;
      cy = d > 1e-9 ? ((py - y) / d) * speed : 0;
    }
    const c = Math.hypot(cx, cy);
    if (c > limits.maxSpeed) {
      cx *= limits.maxSpeed / c;
      cy *= limits.maxSpeed / c;
    }
    // Acceleration limit.
    let dx = cx - vx;
    let dy = cy - vy;
    const dv = Math.hypot(dx, dy);
    const most = limits.maxAcceleration * dt;
    if (dv > most) {
      dx *= most / dv;
      dy *= most / dv;
    }
    return [vx + dx, vy + dy];
  }

  /** The point at distance `a` along the route, but not round the next turn: corners are driven, not cut. */
  private pointAt(a: number): [number, number] {
    const { xs, ys, arc } = this;
    let k = this.seg;
    while (k < this.committed && arc[k + 1] < a) {
      if (this.turn[k + 1] !== Infinity) return [xs[k + 1], ys[k + 1]];
      k++;
    }
    if (k >= this.committed) return [xs[k], ys[k]];
    const len = arc[k + 1] - arc[k];
    const t = len > 0 ? (a - arc[k]) / len : 0;
    return [xs[k] + (xs[k + 1] - xs[k]) * t, ys[k] + (ys[k + 1] - ys[k]) * t];
  }
}
