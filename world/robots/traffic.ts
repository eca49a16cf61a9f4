import type { Kernel } from '../../sim/clock/kernel.js';
import type { Floor } from '../floor/floor.js';
import type { LifelongPlanner } from '../planning/online/lifelong-planner.js';
import type { Activity, Body, BodyCounters } from './body.js';

/** Robots that may wait near one held goal; more would crowd its holder's way out. */
const STAGED = 3;

/** What the traffic rules need from the world that moves the bodies. */
export interface TrafficHost {
  /** The body moves from now along the planner's route, which changed from step `s` on. */
  follow(b: Body, s: number): void;
  /** The first step a new route of `b` may start at. */
  replanStep(b: Body): number;
}

/**
 * The fleet's traffic rules, on top of the lifelong planner:
 *
 * - a navigation is planned against everyone's reservations and committed at
 *   once, or not at all; a goal goes to whoever gets there first;
 * - a robot whose goal cannot be reached yet waits and asks again every
 *   `retrySeconds`, and at once when its goal is vacated. While another
 *   robot holds the goal (handles or charges there), the first three to ask
 *   wait near it (2 to 4 cells away, off the places and their approaches),
 *   the others in a parking cell, out of the aisles; when the way is
 *   jammed, it parks. A robot sent to a charger another robot holds goes to
 *   the nearest free charger instead (the fleet assigns the chargers);
 * - an idle robot parks by itself, so nobody stands for long on a place
 *   others need: waits last only as long as some handling, charge or
 *   repair, which all end, so nobody waits for ever;
 * - a stopped (broken) robot's cell is planned around: robots whose routes
 *   crossed it are planned again, or stopped in turn.
 */
export class Traffic {
  /** The robots waiting near each held goal cell (at most STAGED). */
  private staged = new Map<number, Body[]>();

  constructor(
    private readonly kernel: Kernel,
    private readonly floor: Floor,
    private readonly planner: LifelongPlanner,
    private readonly list: readonly Body[],
    private readonly counters: BodyCounters,
    private readonly host: TrafficHost,
    private readonly retrySeconds: number,
  ) {}

  /** Routes `b` to the goal of its move; else makes it wait near it or parks it, and tries again later. */
  seek(b: Body): boolean {
    const a = b.activity as Extract<Activity, { kind: 'move' }>;
    const s = this.host.replanStep(b);
    const from = this.planner.cellAt(b.index, s);
    if (a.charger) a.cell = this.freeCharger(b, from, a.cell);
    if (this.planner.plan(b.index, a.cell, s, undefined, true)) {
      const bumped = this.planner.bumped;
      this.unstage(b);
      this.waited(b);
      a.routed = true;
      b.parking = false;
      this.kernel.cancel(b.retry);
      b.retry = undefined;
      this.changed(b, s, from);
      for (const r of bumped) this.bump(this.list[r]);
      return true;
    }
    b.waitingSince ??= this.kernel.now;
    const route = this.planner.route(b.index);
    const end = route.cells[route.cells.length - 1];
    const held = this.planner.table.freeFrom(b.index, a.cell) === Infinity;
    if (b.staged === a.cell && held) {
      // It waits near its goal already.
    } else if (held && (this.staged.get(a.cell)?.length ?? 0) < STAGED && this.planner.stage(b.index, a.cell, s) >= 0) {
      this.unstage(b);
      this.staged.set(a.cell, [...(this.staged.get(a.cell) ?? []), b]);
      b.staged = a.cell;
      b.parking = false;
      this.changed(b, s, from);
    } else if (!this.floor.isParking(end) && this.planner.park(b.index, s) >= 0) {
      this.unstage(b);
      b.parking = true;
      this.changed(b, s, from);
    }
    this.retryLater(b, this.retrySeconds);
    return false;
  }

  /** An idle robot parks, unless it stands or drives to a parking cell already. */
  settle(b: Body): void {
    if (b.activity || b.faulted) return;
    const s = this.host.replanStep(b);
    const route = this.planner.route(b.index);
    if (this.floor.isParking(route.cells[route.cells.length - 1]) && (b.parking || this.planner.standsAt(b.index, s))) return;
    const from = this.planner.cellAt(b.index, s);
    if (this.planner.park(b.index, s) >= 0) {
      b.parking = true;
      this.changed(b, s, from);
    } else this.retryLater(b, this.retrySeconds);
  }

  /** Stops `b` on its next cell; robots whose routes cross it are planned again, or stopped in turn. */
  halt(b: Body): void {
    const s = this.host.replanStep(b);
    const work = this.planner.stop(b.index, s);
    this.host.follow(b, s);
    while (work.length > 0) {
      const y = this.list[work.shift()!];
      const ys = this.host.replanStep(y);
      const a = y.activity;
      const ok = a?.kind === 'move' && a.routed ? this.planner.plan(y.index, a.cell, ys) : !y.faulted && this.planner.park(y.index, ys) >= 0;
      if (!ok) {
        if (a?.kind === 'move') {
          a.routed = false;
          this.retryLater(y, this.retrySeconds);
        }
        for (const r of this.planner.stop(y.index, ys)) if (!work.includes(r)) work.push(r);
      }
      this.host.follow(y, ys);
    }
  }

  retryLater(b: Body, seconds: number): void {
    this.kernel.cancel(b.retry);
    b.retry = this.kernel.after(seconds, this.retry, b);
  }

  /** The robot no longer waits (its move was routed, or replaced by another command). */
  forget(b: Body): void {
    this.kernel.cancel(b.retry);
    b.retry = undefined;
    this.unstage(b);
    this.waited(b);
  }

  private retry = (b: Body): void => {
    b.retry = undefined;
    if (b.faulted) return;
    if (b.activity?.kind === 'move' && !b.activity.routed) this.seek(b);
    else if (!b.activity) this.settle(b);
  };

  private waited(b: Body): void {
    if (b.waitingSince !== undefined) this.counters.waitingSeconds += this.kernel.now - b.waitingSince;
    b.waitingSince = undefined;
  }

  /** Another robot will be at `y`'s goal first and stay: `y` waits near it, parks, or else stops. */
  private bump(y: Body): void {
    const a = y.activity;
    if (a?.kind !== 'move') return;
    a.routed = false;
    this.counters.waits++;
    this.seek(y);
    const route = this.planner.route(y.index);
    if (!a.routed && route.cells[route.cells.length - 1] === a.cell) this.halt(y);
  }

  private unstage(b: Body): void {
    if (b.staged === undefined) return;
    const rest = (this.staged.get(b.staged) ?? []).filter((o) => o !== b);
    if (rest.length > 0) this.staged.set(b.staged, rest);
    else this.staged.delete(b.staged);
    b.staged = undefined;
  }

  /** `wanted` if no other robot holds it, else the nearest charger nobody holds (or `wanted` when all are held). */
  private freeCharger(b: Body, from: number, wanted: number): number {
    const { table } = this.planner;
    if (table.freeFrom(b.index, wanted) !== Infinity) return wanted;
    let best = wanted;
    let bestD = Infinity;
    for (const c of this.floor.chargers) {
      if (table.freeFrom(b.index, c) === Infinity) continue;
      const d = this.planner.distance(from, c);
      if (d >= 0 && d < bestD) {
        best = c;
        bestD = d;
      }
    }
    return best;
  }

  /** A new route of `b` from step `s`; robots waiting for the cell it leaves try at once. */
  private changed(b: Body, s: number, from: number): void {
    this.host.follow(b, s);
    const route = this.planner.route(b.index);
    if (route.cells[route.cells.length - 1] === from) return;
    const charger = this.floor.isCharger(from);
    for (const w of this.list) {
      const a = w.activity;
      if (w !== b && a?.kind === 'move' && !a.routed && (a.cell === from || (charger && a.charger))) this.retryLater(w, 0);
    }
  }
}
