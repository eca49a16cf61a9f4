import type { Interval, ReservationTable } from './reservations.js';
import { cellAt, endStep } from './route.js';
import type { LifelongPlanner } from './lifelong-planner.js';

/**
 * The execution rule that makes plans tolerant of delays (an action
 * dependency graph in the sense of Hönig et al., "Persistent and robust
 * execution of MAPF schedules in warehouses", 2019): a robot enters a cell
 * only once the cell's previous occupant in the plan has left it.
 *
 * `reached(r)` is the last plan step whose cell robot r has physically
 * reached; a robot has left the cell of its interval [from, to] once it
 * reached step to + 1. Safety: at any moment a cell holds at most its
 * current occupant in plan order. Liveness: a robot waits only for moves
 * planned strictly earlier than its own (intervals in a cell are disjoint
 * and ordered), so the waits form no cycle and every delayed plan still
 * completes, later by at most the delays.
 */
export function mayEnter(table: ReservationTable, iv: Interval, reached: (robot: number) => number): boolean {
  const prev = table.previous(iv);
  return !prev || prev.robot === iv.robot || reached(prev.robot) > prev.to;
}

/** The interval of `robot` that starts at step `from`. */
export function intervalFrom(table: ReservationTable, robot: number, from: number): Interval | undefined {
  const mine = table.intervals(robot);
  for (let i = mine.length - 1; i >= 0; i--) {
    if (mine[i].from === from) return mine[i];
    if (mine[i].from < from) break;
  }
  return undefined;
}

/**
 * A discrete executor of the planner's routes with one move per tick (one
 * tick = one step): the reference semantics of the rule, used to test it.
 * A robot moves along its route when the plan's time has come, it is not
 * held back by an injected delay, and (`gated`) the rule allows it.
 */
export class StepExecutor {
  /** Plan step each robot has reached. */
  readonly reached: number[];
  private delays: number[];
  /** Ticks at which two robots were in one cell or swapped cells. */
  collisions = 0;
  tick = 0;

  constructor(
    private readonly planner: LifelongPlanner,
    start: number,
    private readonly gated = true,
  ) {
    this.reached = Array.from({ length: planner.robots }, () => start);
    this.delays = this.reached.map(() => 0);
  }

  /** Holds `robot` back for `ticks` ticks from now (a slow pick, a person in the way). */
  delay(robot: number, ticks: number): void {
    this.delays[robot] += ticks;
  }

  done(): boolean {
    return this.reached.every((p, r) => p >= endStep(this.planner.route(r)));
  }

  cell(robot: number): number {
    return cellAt(this.planner.route(robot), this.reached[robot]);
  }

  step(): void {
    const before = this.reached.map((_, r) => this.cell(r));
    for (let r = 0; r < this.reached.length; r++) {
      const p = this.reached[r];
      if (p > this.tick || p >= endStep(this.planner.route(r))) continue;
      if (this.delays[r] > 0) {
        this.delays[r]--;
        continue;
      }
      const next = cellAt(this.planner.route(r), p + 1);
      if (next !== before[r] && this.gated) {
        const iv = intervalFrom(this.planner.table, r, p + 1);
        if (iv && !mayEnter(this.planner.table, iv, (o) => this.reached[o])) continue;
      }
      this.reached[r] = p + 1;
    }
    const after = this.reached.map((_, r) => this.cell(r));
    for (let a = 0; a < after.length; a++) {
      for (let b = a + 1; b < after.length; b++) {
        if (after[a] === after[b] || (after[a] === before[b] && after[b] === before[a] && after[a] !== before[a])) this.collisions++;
      }
    }
    this.tick++;
  }
}
