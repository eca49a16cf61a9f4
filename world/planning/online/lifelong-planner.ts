import type { Floor } from '../../floor/floor.js';
import { ReservationTable } from './reservations.js';
import { cellAt, endStep, fromPath, splice, standing, trim, type Route } from './route.js';
import { spaceTimeAStar } from './space-time-astar.js';

export interface PlannerOptions {
  /** Steps ahead a search may look (its horizon). */
  horizonSteps?: number;
  maxExpansions?: number;
  /**
   * Steps a robot may wait on the way for its goal to come free. A goal held
   * longer (another robot handling or charging there) is not searched for:
   * the robot parks and asks again, rather than block a cell while it waits.
   */
  waitSlack?: number;
  /** Parking cells tried per parking request, nearest first. */
  parkingCandidates?: number;
}

export interface PlannerStats {
  plans: number;
  failures: number;
  expansions: number;
}

/**
 * Lifelong prioritized planning for a fleet in a running simulation. Each
 * navigation request is planned when it comes, by space-time A* against the
 * reservations of every plan made before (first come, first planned); a
 * robot owns the cell its route ends on for as long as it stays there
 * (handling, charging, parked), until its next route leaves it. A request
 * that finds no route within the horizon changes nothing: the robot keeps
 * its current route (which ends on a cell it owns) and asks again later.
 *
 * Time is in steps of `cellSize / speed` seconds; a route starts at a step
 * the robot has not begun yet, so the part already under way is kept.
 * Robots are numbered 0 … n − 1.
 */
export class LifelongPlanner {
  readonly table: ReservationTable;
  readonly stats: PlannerStats = { plans: 0, failures: 0, expansions: 0 };
  /** Robots the last `plan` with `bump` took the goal from: they must be planned again. */
  bumped: number[] = [];
  private routes: Route[] = [];
  /** Buffers of the breadth-first search for parking. */
  private seen = new Uint32Array(0);
  private queue = new Int32Array(0);
  private dist = new Int32Array(0);
  private generation = 0;
  private nb: number[] = [];
  private heuristics = new Map<number, Int32Array>();
  private readonly horizon: number;
  private readonly maxExpansions: number;
  private readonly slack: number;
  private readonly candidates: number;

  constructor(
    readonly floor: Floor,
    options: PlannerOptions = {},
  ) {
    this.table = new ReservationTable(floor.grid.size);
    this.horizon = options.horizonSteps ?? 600;
    this.maxExpansions = options.maxExpansions ?? 30_000;
    this.slack = options.waitSlack ?? 30;
    this.candidates = options.parkingCandidates ?? 4;
  }

  get robots(): number {
    return this.routes.length;
  }

  /** Puts robot `robot` (the next number) on `cell` from `step`, owning it. */
  add(robot: number, cell: number, step: number): void {
    if (robot !== this.routes.length) throw new RangeError(`robots are added in order: expected ${this.routes.length}, got ${robot}`);
    if (!this.floor.grid.freeIndex(cell)) throw new Error(`cell ${cell} is blocked or off the floor`);
    if (this.table.freeFrom(robot, cell) > step) throw new Error(`cell ${cell} is taken by another robot`);
    this.routes.push(standing(cell, step));
    this.table.assign(robot, this.routes[robot]);
  }

  route(robot: number): Route {
    return this.routes[robot];
  }

  cellAt(robot: number, step: number): number {
    return cellAt(this.routes[robot], step);
  }

  /** Whether the robot's route is over by `step` (it stands on its last cell). */
  standsAt(robot: number, step: number): boolean {
    return endStep(this.routes[robot]) <= step;
  }

  /**
   * Plans `robot` from where its route has it at step `s` to `goal`, and
   * commits the route. False (nothing changed) when no route was found.
   *
   * With `bump`, a goal is served in the order robots get there, not in the
   * order they asked: a robot that can be there before another one on its
   * way to stay there takes it, and the other (in `bumped`) must be planned
   * again (it will wait near the goal). Each bump brings the goal's next
   * arrival earlier, so bumps do not chase each other.
   */
  plan(robot: number, goal: number, s: number, distance?: number, bump = false): boolean {
    this.bumped = [];
    const start = this.cellAt(robot, s);
    // Parking cells are many and near: the Manhattan distance guides the search there (its grid distance is known);
    // places are few and far: their exact grid distances are cached.
    const map = distance === undefined ? this.heuristic(goal) : undefined;
    const h = map ? (c: number) => map[c] : this.manhattan(goal);
    const d = distance ?? h(start);
    // A robot on its way to stay at the goal can be beaten only by getting there a step before it.
    const beat = bump ? this.table.nextHold(robot, goal, s) - 2 : Infinity;
    const goalFrom = this.table.freeFrom(robot, goal, s + d <= beat ? s : Infinity);
    if (d < 0 || goalFrom > s + d + this.slack) {
      this.stats.failures++;
      return false;
    }
    const maxSteps = Math.min(this.horizon, beat - s, Math.max(0, goalFrom - s) + 2 * d + this.slack);
    const { path, expansions } = spaceTimeAStar(this.floor.grid, this.table, robot, start, s, goal, goalFrom, h, { maxSteps, maxExpansions: this.maxExpansions });
    this.stats.expansions += expansions;
    if (!path) {
      this.stats.failures++;
      return false;
    }
    this.commit(robot, fromPath(s, path));
    if (bump) this.bumped = this.table.usersFrom(robot, goal, s + path.length - 2);
    return true;
  }

  /**
   * Sends `robot` from its cell at step `s` to the nearest parking cell it
   * can reach and keep. Returns the cell, or -1 (nothing changed).
   */
  park(robot: number, s: number): number {
    const start = this.cellAt(robot, s);
    if (this.floor.isParking(start) && this.standsAt(robot, s)) return start;
    const parking = this.nearest(start, Infinity, (c, d) => this.floor.isParking(c) && this.table.freeFrom(robot, c) <= s + d + this.slack);
    for (const [c, d] of parking) if (this.plan(robot, c, s, d)) return c;
    return -1;
  }

  /**
   * Sends `robot` to wait near `goal`, which another robot holds: to a free
   * cell 2 to 4 cells from it, neither a place nor next to one, so that the
   * waiting robot blocks neither the goal's holder on its way out nor any
   * other place. Returns the cell, or -1 (nothing changed).
   */
  stage(robot: number, goal: number, s: number): number {
    const start = this.cellAt(robot, s);
    const toGoal = this.distance(start, goal);
    if (toGoal < 0) return -1;
    const { floor } = this;
    const near = (c: number) => floor.isPlace(c) || floor.grid.neighbours(c, this.nb).some((n) => floor.isPlace(n));
    const cells = this.nearest(goal, 4, (c, d) => d >= 2 && !near(c) && this.table.freeFrom(robot, c) <= s + toGoal + d + this.slack);
    for (const [c, d] of cells) if (this.plan(robot, c, s, toGoal + d)) return c;
    return -1;
  }

  /**
   * Stops `robot` on the cell its route has at step `s`, for good (a
   * breakdown, an action where it stands). Returns the other robots whose
   * routes now cross that cell: they must be planned again.
   */
  stop(robot: number, s: number): number[] {
    const cell = this.cellAt(robot, s);
    this.commit(robot, standing(cell, s));
    return this.table.usersFrom(robot, cell, s - 1);
  }

  /** The robot has left every cell it was in before `step`: forget them. */
  forget(robot: number, step: number): void {
    this.table.forget(robot, step);
    this.routes[robot] = trim(this.routes[robot], step);
  }

  private commit(robot: number, next: Route): void {
    this.routes[robot] = splice(this.routes[robot], next.steps[0], next);
    this.table.assign(robot, next);
    this.stats.plans++;
  }

  /** Grid distance between two cells (-1: no way), from the cached distance maps. */
  distance(from: number, to: number): number {
    return this.heuristic(to)[from];
  }

  /**
   * Up to `candidates` cells nearest to `from` (breadth first, so by grid
   * distance, at most `within`) that `accept` takes, with their distances.
   */
  private nearest(from: number, within: number, accept: (cell: number, distance: number) => boolean): [number, number][] {
    const { grid } = this.floor;
    if (this.seen.length !== grid.size) {
      this.seen = new Uint32Array(grid.size);
      this.queue = new Int32Array(grid.size);
      this.dist = new Int32Array(grid.size);
    }
    const { seen, queue, dist } = this;
    const mark = ++this.generation;
    const out: [number, number][] = [];
    let head = 0;
    let tail = 0;
    queue[tail++] = from;
    seen[from] = mark;
    dist[from] = 0;
    const nb: number[] = [];
    while (head < tail && out.length < this.candidates) {
      const c = queue[head++];
      if (dist[c] > within) break;
      if (accept(c, dist[c])) out.push([c, dist[c]]);
      for (const n of grid.neighbours(c, nb)) {
        if (seen[n] === mark) continue;
        seen[n] = mark;
        dist[n] = dist[c] + 1;
        queue[tail++] = n;
      }
    }
    return out;
  }

  /** Manhattan distance to `goal`: a lower bound of the grid distance. */
  private manhattan(goal: number): (cell: number) => number {
    const w = this.floor.grid.width;
    const gx = goal % w;
    const gy = (goal - gx) / w;
    return (c) => {
      const x = c % w;
      return Math.abs(x - gx) + Math.abs((c - x) / w - gy);
    };
  }

  /** Grid distances to `goal`, cached (goals are places and parking cells, a bounded set). */
  private heuristic(goal: number): Int32Array {
    let h = this.heuristics.get(goal);
    if (!h) {
      if (this.heuristics.size >= 1024) this.heuristics.delete(this.heuristics.keys().next().value!);
      h = this.floor.grid.distancesTo(goal);
      this.heuristics.set(goal, h);
    }
    return h;
  }
}
