import type { Route } from './route.js';

/** A robot in a cell for steps `from` … `to` (inclusive; Infinity: it stays). */
export interface Interval {
  robot: number;
  cell: number;
  from: number;
  to: number;
}

/**
 * The reservation table of the lifelong planner: for every cell, who is
 * planned to be in it and when, as intervals of steps sorted by start.
 *
 * Planning rule (`free`): a robot may be in a cell at step t only when no
 * other robot is planned there at t − 1, t or t + 1. This one-step gap
 * forbids vertex and swap conflicts and also "following" into a cell the
 * step it is left; it costs a one-cell gap in convoys and buys slack: two
 * robots are never planned in cells whose occupancy touches in time, so a
 * body driving between two cell centres never meets another, and an
 * executor running late can hold a robot back at a cell boundary.
 */
export class ReservationTable {
  private readonly byCell: (Interval[] | undefined)[];
  private readonly byRobot: Interval[][] = [];

  constructor(cells: number) {
    this.byCell = new Array(cells);
  }

  /** May `robot` be in `cell` at step `t`? Its own intervals do not count. */
  free(robot: number, cell: number, t: number): boolean {
    const list = this.byCell[cell];
    if (!list) return true;
    for (let i = 0; i < list.length; i++) {
      const iv = list[i];
      if (iv.from > t + 1) break;
      if (iv.robot !== robot && iv.to >= t - 1) return false;
    }
    return true;
  }

  /**
   * First step from which `robot` may stay in `cell` for good (Infinity
   * while another robot holds it). Holds that begin after step `after` (of
   * robots still on their way) are not counted when given.
   */
  freeFrom(robot: number, cell: number, after = Infinity): number {
    let at = 0;
    for (const iv of this.byCell[cell] ?? []) {
      if (iv.robot === robot || (iv.to === Infinity && iv.from > after)) continue;
      if (iv.to === Infinity) return Infinity;
      at = Math.max(at, iv.to + 2);
    }
    return at;
  }

  /** Earliest start after step `after` of another robot's hold (stay for good) on `cell`; Infinity if none. */
  nextHold(robot: number, cell: number, after: number): number {
    let at = Infinity;
    for (const iv of this.byCell[cell] ?? []) if (iv.robot !== robot && iv.to === Infinity && iv.from > after) at = Math.min(at, iv.from);
    return at;
  }

  /** Other robots planned in `cell` at some step ≥ `t`. */
  usersFrom(robot: number, cell: number, t: number): number[] {
    const out: number[] = [];
    for (const iv of this.byCell[cell] ?? []) if (iv.robot !== robot && iv.to >= t && !out.includes(iv.robot)) out.push(iv.robot);
    return out;
  }

  /** The interval planned in `iv`'s cell just before it (any robot), if any is still known. */
  previous(iv: Interval): Interval | undefined {
    const list = this.byCell[iv.cell]!;
    const i = list.indexOf(iv);
    return i > 0 ? list[i - 1] : undefined;
  }

  intervals(robot: number): readonly Interval[] {
    return this.byRobot[robot] ?? [];
  }

  /**
   * Replaces `robot`'s plan from `route.steps[0]` on by `route` (whose first
   * cell is where the old plan has the robot then); the robot stays on the
   * route's last cell indefinitely.
   */
  assign(robot: number, route: Route): void {
    const s = route.steps[0];
    const keep: Interval[] = [];
    for (const iv of this.byRobot[robot] ?? []) {
      if (iv.from >= s) this.unlink(iv);
      else {
        if (iv.to >= s) iv.to = s - 1;
        keep.push(iv);
      }
    }
    const { cells, steps } = route;
    for (let k = 0; k < cells.length; k++) {
      const to = k + 1 < cells.length ? steps[k + 1] - 1 : Infinity;
      const last = keep[keep.length - 1];
      if (last && last.cell === cells[k] && last.to >= steps[k] - 1) {
        last.to = Math.max(last.to, to);
        continue;
      }
      const iv: Interval = { robot, cell: cells[k], from: steps[k], to };
      this.link(iv);
      keep.push(iv);
    }
    this.byRobot[robot] = keep;
  }

  /** Forgets `robot`'s intervals that ended before step `before` (it has left them). */
  forget(robot: number, before: number): void {
    const mine = this.byRobot[robot];
    if (!mine || mine.length === 0 || mine[0].to >= before) return;
    const keep: Interval[] = [];
    for (const iv of mine) {
      if (iv.to < before) this.unlink(iv);
      else keep.push(iv);
    }
    this.byRobot[robot] = keep;
  }

  /**
   * Audit with the plain rules (no gap): vertex conflicts (two robots in a
   * cell at one step) and swaps (two robots trading cells in one step)
   * between `robot`'s intervals from step `s` on and everyone else's. A
   * correct planner gives 0; the kinematic world reports the sum as its
   * `collisions`.
   */
  conflicts(robot: number, s: number): number {
    let n = 0;
    const mine = this.byRobot[robot] ?? [];
    for (let k = 0; k < mine.length; k++) {
      const iv = mine[k];
      if (iv.to < s) continue;
      for (const o of this.byCell[iv.cell] ?? []) {
        if (o.robot !== robot && o.from <= iv.to && o.to >= iv.from) n++;
      }
      const before = mine[k - 1];
      if (!before || before.to !== iv.from - 1) continue;
      // Someone leaving iv's cell as the robot enters it, into the cell the robot leaves?
      for (const o of this.byCell[iv.cell] ?? []) {
        if (o.robot === robot || o.to !== iv.from - 1) continue;
        if ((this.byCell[before.cell] ?? []).some((p) => p.robot === o.robot && p.from === iv.from)) n++;
      }
    }
    return n;
  }

  private link(iv: Interval): void {
    const list = (this.byCell[iv.cell] ??= []);
    let i = list.length;
    while (i > 0 && list[i - 1].from > iv.from) i--;
    list.splice(i, 0, iv);
  }

  private unlink(iv: Interval): void {
    const list = this.byCell[iv.cell]!;
    list.splice(list.indexOf(iv), 1);
    if (list.length === 0) this.byCell[iv.cell] = undefined;
  }
}
