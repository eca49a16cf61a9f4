import type { LogRecord } from '../../sim/log/event-log.js';
import type { Scenario } from '../../scenarios/schema.js';
import { cobotPlaces, floorSpec } from '../../scenarios/schema.js';
import { buildFloor } from '../../world/floor/build-floor.js';
import { cobotIds } from '../machines.js';

interface Segment {
  t0: number;
  t1: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

type Point = { x: number; y: number };

/**
 * Where cobots were, from a recorded log. The log holds each cobot's state
 * changes and tasks, not its route: a drive is drawn as a straight line from
 * where it stood to its goal (the task's pick or drop place, the nearest
 * charger), arriving when its next state begins. Good enough to follow the
 * floor in a replay; the live view shows the planned routes.
 */
export class CobotTracks {
  private readonly segments = new Map<string, Segment[]>();
  private starts = new Map<string, Point>();

  constructor(scenario: Scenario, records: readonly LogRecord[]) {
    const c = scenario.cobots;
    if (!c) return;
    const ids = cobotIds(scenario);
    const homes = ids.map((_, i) => c.homes[i % c.homes.length]);
    const floor = buildFloor(floorSpec(scenario), cobotPlaces(scenario), c.count);
    const starts = floor.startCells(homes);
    const chargers = scenario.layout.places.filter((p) => p.kind === 'charger');
    const at = new Map<string, Point>(ids.map((id, i) => [id, floor.centre(starts[i])]));
    const goal = new Map<string, { pick: Point; drop: Point }>();
    const open = new Map<string, { t0: number; to: Point }>();
    for (const id of ids) this.segments.set(id, []);

    for (const r of records) {
      if (r.type === 'task.awarded') {
        const spec = (r.payload as { spec?: { fromPose?: Point; toPose?: Point } }).spec;
        if (spec?.fromPose && spec.toPose) goal.set(r.to as string, { pick: spec.fromPose, drop: spec.toPose });
        continue;
      }
      if (r.type !== 'state') continue;
      const id = r.agent as string;
      const list = this.segments.get(id);
      if (!list) continue;
      const here = at.get(id)!;
      const o = open.get(id);
      if (o) {
        // The drive ends where the next state begins.
        list.push({ t0: o.t0, t1: r.t, x0: here.x, y0: here.y, x1: o.to.x, y1: o.to.y });
        at.set(id, o.to);
        open.delete(id);
      }
      const state = r.state as string;
      const from = at.get(id)!;
      let to: Point | undefined;
      if (state === 'moving.toPickup') to = goal.get(id)?.pick;
      else if (state === 'moving.toDropoff') to = goal.get(id)?.drop;
      else if (state.startsWith('moving.toCharger') && chargers.length > 0) {
        to = chargers.reduce((best, p) => (Math.hypot(p.x - from.x, p.y - from.y) < Math.hypot(best.x - from.x, best.y - from.y) ? p : best), chargers[0]);
      }
      if (to) open.set(id, { t0: r.t, to: { x: to.x, y: to.y } });
      else list.push({ t0: r.t, t1: r.t, x0: from.x, y0: from.y, x1: from.x, y1: from.y });
    }
    for (const [id, o] of open) {
      const here = at.get(id)!;
      this.segments.get(id)!.push({ t0: o.t0, t1: Infinity, x0: here.x, y0: here.y, x1: o.to.x, y1: o.to.y });
    }
    this.starts = new Map(ids.map((id, i) => [id, floor.centre(starts[i])]));
  }

  /** Where `cobot` was at time `t`, and where it was driving to if it was. */
  at(cobot: string, t: number): { x: number; y: number; goal?: Point } {
    const list = this.segments.get(cobot) ?? [];
    // Last segment starting at or before t (binary search).
    let lo = 0;
    let hi = list.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].t0 <= t) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0) return this.starts.get(cobot) ?? { x: 0, y: 0 };
    const s = list[k];
    if (t >= s.t1) return { x: s.x1, y: s.y1 };
    const f = s.t1 > s.t0 && Number.isFinite(s.t1) ? (t - s.t0) / (s.t1 - s.t0) : 0;
    const moving = s.x0 !== s.x1 || s.y0 !== s.y1;
    return { x: s.x0 + (s.x1 - s.x0) * f, y: s.y0 + (s.y1 - s.y0) * f, ...(moving ? { goal: { x: s.x1, y: s.y1 } } : {}) };
  }
}
