import type { CobotView } from '../../bridges/viewer/protocol.js';
import { cobotColour, FLOOR } from './colours.js';
import type { FloorTransform } from './floor-transform.js';
import { type Box, overlaps } from './label-boxes.js';
import type { Changes, Store } from './state.js';

interface Motion {
  fx: number; fy: number; tx: number; ty: number;
  /** Wall-clock start (ms) and length of the glide to the target. */
  t0: number; dur: number;
}

export const COBOT_RADIUS_M = 0.55;
const LABEL_COBOTS_MAX = 30;
const COLLISION_MARK_MS = 6000;

/**
 * The cobots, drawn every animation frame over the cached layers: each
 * glides from where it was drawn to its latest reported position over about
 * one server frame, with its planned path, in a few batched paths per colour.
 */
export class CobotLayer {
  private readonly motion = new Map<string, Motion>();
  private frameIntervalMs = 100;
  private lastCobotFrame = 0;
  private readonly collisions = new Map<string, number>();

  /** A new plant: every cobot stands where it is. */
  reset(cobots: readonly CobotView[], now: number): void {
    this.motion.clear();
    for (const r of cobots) this.motion.set(r.id, { fx: r.x, fy: r.y, tx: r.x, ty: r.y, t0: now, dur: 1 });
  }

  /** Starts the glides for the cobots a frame moved, and forgets removed ones. */
  update(c: Changes, store: Store, now: number): void {
    if (c.cobots.size > 0) {
      // Glide over about one server frame interval so motion looks continuous.
      if (this.lastCobotFrame > 0) {
        const gap = Math.min(400, Math.max(40, now - this.lastCobotFrame));
        this.frameIntervalMs = this.frameIntervalMs * 0.8 + gap * 0.2;
      }
      this.lastCobotFrame = now;
      const b = store.state.floor.bounds;
      const jump = 0.25 * Math.hypot(b.maxX - b.minX, b.maxY - b.minY);
      for (const id of c.cobots) {
        const r = store.cobot(id);
        if (!r) continue;
        const m = this.motion.get(id);
        const [cx, cy] = m ? position(m, now) : [r.x, r.y];
        const teleport = Math.hypot(r.x - cx, r.y - cy) > jump;
        this.motion.set(id, teleport
          ? { fx: r.x, fy: r.y, tx: r.x, ty: r.y, t0: now, dur: 1 }
          : { fx: cx, fy: cy, tx: r.x, ty: r.y, t0: now, dur: this.frameIntervalMs * 1.1 });
      }
    }
    if (c.cobotsRemoved) {
      const alive = new Set(store.state.cobots.map((r) => r.id));
      for (const id of this.motion.keys()) if (!alive.has(id)) this.motion.delete(id);
    }
  }

  /** Marks cobots named in a collision alert for a few seconds. */
  markCollision(subject: string, now: number): void {
    this.collisions.set(subject, now + COLLISION_MARK_MS);
  }

  /** Where a cobot is drawn at `now` (metres). */
  at(r: CobotView, now: number): [number, number] {
    const m = this.motion.get(r.id);
    return m ? position(m, now) : [r.x, r.y];
  }

  /**
   * Paths, bodies, collision marks, the hover ring and, when few and large
   * enough, labels clear of `keepClear`'s labels.
   */
  draw(ctx: CanvasRenderingContext2D, view: FloorTransform, cobots: readonly CobotView[], hover: string | undefined, keepClear: readonly { labels: Box[] }[], now: number): void {
    const pos = new Map<string, [number, number]>();
    for (const r of cobots) {
      const [x, y] = this.at(r, now);
      pos.set(r.id, [view.sx(x), view.sy(y)]);
    }

    // Planned paths: one stroke for all, then their end points.
    ctx.beginPath();
    const ends: [number, number][] = [];
    for (const r of cobots) {
      if (!r.path?.length) continue;
      const [x, y] = pos.get(r.id)!;
      ctx.moveTo(x, y);
      for (const [px, py] of r.path) ctx.lineTo(view.sx(px), view.sy(py));
      const last = r.path[r.path.length - 1];
      ends.push([view.sx(last[0]), view.sy(last[1])]);
    }
    ctx.strokeStyle = FLOOR.path;
    ctx.lineWidth = 1.25;
    ctx.setLineDash([5, 4]);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    for (const [x, y] of ends) {
      ctx.moveTo(x + 3, y);
      ctx.arc(x, y, 3, 0, Math.PI * 2);
    }
    ctx.strokeStyle = FLOOR.pathEnd;
    ctx.stroke();

    // Bodies, one path per state colour.
    const r0 = Math.max(3.5, Math.min(11, COBOT_RADIUS_M * view.scale));
    const byColour = new Map<string, [number, number][]>();
    for (const r of cobots) {
      const c = cobotColour(r.state);
      const list = byColour.get(c);
      const p = pos.get(r.id)!;
      if (list) list.push(p);
      else byColour.set(c, [p]);
    }
    for (const [colour, list] of byColour) {
      ctx.beginPath();
      for (const [x, y] of list) {
        ctx.moveTo(x + r0, y);
        ctx.arc(x, y, r0, 0, Math.PI * 2);
      }
      ctx.fillStyle = colour;
      ctx.fill();
    }
    ctx.beginPath();
    for (const [x, y] of pos.values()) {
      ctx.moveTo(x + r0, y);
      ctx.arc(x, y, r0, 0, Math.PI * 2);
    }
    ctx.strokeStyle = 'rgba(13, 18, 24, 0.9)';
    ctx.lineWidth = 1;
    ctx.stroke();

    // Collision marks.
    ctx.beginPath();
    for (const [id, until] of this.collisions) {
      if (until < now) {
        this.collisions.delete(id);
        continue;
      }
      const p = pos.get(id);
      if (!p) continue;
      const pulse = r0 + 5 + 3 * Math.sin(now / 120);
      ctx.moveTo(p[0] + pulse, p[1]);
      ctx.arc(p[0], p[1], pulse, 0, Math.PI * 2);
    }
    ctx.strokeStyle = FLOOR.collision;
    ctx.lineWidth = 2;
    ctx.stroke();
    ctx.lineWidth = 1;

    if (hover !== undefined) {
      const p = pos.get(hover);
      if (p) {
        ctx.beginPath();
        ctx.arc(p[0], p[1], r0 + 3, 0, Math.PI * 2);
        ctx.strokeStyle = FLOOR.selection;
        ctx.stroke();
      }
    }

    if (cobots.length <= LABEL_COBOTS_MAX && view.scale >= 5) labelCobots(ctx, cobots, pos, r0, keepClear);
  }
}

function position(m: Motion, now: number): [number, number] {
  const f = Math.min(1, Math.max(0, (now - m.t0) / m.dur));
  return [m.fx + (m.tx - m.fx) * f, m.fy + (m.ty - m.fy) * f];
}

/**
 * Each cobot's label to its right, else left, below or above, wherever it
 * clears the place, station and machine labels, the cobots, and the cobot
 * labels already drawn; left out when no side is clear (the tooltip tells).
 */
function labelCobots(
  ctx: CanvasRenderingContext2D, cobots: readonly CobotView[], pos: ReadonlyMap<string, [number, number]>, r0: number, keepClear: readonly { labels: Box[] }[],
): void {
  ctx.font = '10.5px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  ctx.fillStyle = 'rgba(226, 232, 240, 0.9)';
  const taken: Box[] = keepClear.flatMap((layer) => layer.labels);
  // Nor over another cobot.
  for (const [x, y] of pos.values()) taken.push({ x0: x - r0, y0: y - r0, x1: x + r0, y1: y + r0 });
  const half = 6;
  for (const r of cobots) {
    const [x, y] = pos.get(r.id)!;
    const text = r.task ? `${r.id} → ${r.task.to}` : r.id;
    const w = ctx.measureText(text).width;
    const gap = r0 + 4;
    const candidates: [number, number][] = [[x + gap, y], [x - gap - w, y], [x - w / 2, y + gap + half], [x - w / 2, y - gap - half]];
    for (const [lx, ly] of candidates) {
      const box: Box = { x0: lx, y0: ly - half, x1: lx + w, y1: ly + half };
      if (taken.some((b) => overlaps(b, box))) continue;
      taken.push(box);
      ctx.fillText(text, lx, ly);
      break;
    }
  }
}
