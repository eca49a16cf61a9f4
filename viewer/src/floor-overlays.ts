import type { TruckView } from '../../bridges/viewer/protocol.js';
import { FLOOR } from './colours.js';
import type { FloorTransform } from './floor-transform.js';
import type { Store, ViewState } from './state.js';

/**
 * What each animation frame draws over the cached layers besides the cobots:
 * they change without any machine changing, so they stay out of the caches.
 */

/** Rings round the selected machine and the one under the pointer. */
export function drawSelection(ctx: CanvasRenderingContext2D, view: FloorTransform, store: Store, selected: string | undefined, hovered: string | undefined): void {
  const half = view.machinePx() / 2 + 4;
  for (const [id, style, width] of [[selected, FLOOR.selection, 2], [hovered, 'rgba(255,255,255,0.55)', 1.5]] as const) {
    if (!id) continue;
    const m = store.machine(id);
    if (!m) continue;
    ctx.beginPath();
    ctx.roundRect(view.sx(m.x) - half, view.sy(m.y) - half, 2 * half, 2 * half, 6);
    ctx.strokeStyle = style;
    ctx.lineWidth = width;
    ctx.stroke();
  }
  ctx.lineWidth = 1;
}

/** Trucks on the floor (at the dock), with their names. */
export function drawTrucks(ctx: CanvasRenderingContext2D, view: FloorTransform, all: readonly TruckView[]): void {
  const trucks = all.filter((t) => view.inView(t.x, t.y));
  if (!trucks.length) return;
  const w = Math.max(14, 2.4 * view.scale);
  const h = Math.max(8, 1.2 * view.scale);
  ctx.beginPath();
  for (const t of trucks) ctx.roundRect(view.sx(t.x) - w / 2, view.sy(t.y) - h / 2, w, h, 2);
  ctx.fillStyle = FLOOR.truck;
  ctx.fill();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillStyle = FLOOR.truck;
  for (const t of trucks) ctx.fillText(t.id, view.sx(t.x), view.sy(t.y) + h / 2 + 2);
}

/** Collisions so far, and whether the run is paused or finished, in the top right corner. */
export function drawBadges(ctx: CanvasRenderingContext2D, view: FloorTransform, st: ViewState): void {
  const badges: [string, string][] = [];
  const collisions = st.kpis.collisions;
  if (collisions !== undefined && collisions > 0) badges.push([`collisions: ${collisions}`, 'rgba(220, 38, 38, 0.9)']);
  if (st.finished) badges.push(['FINISHED', 'rgba(71, 85, 105, 0.9)']);
  else if (st.paused) badges.push(['PAUSED', 'rgba(180, 83, 9, 0.9)']);
  let x = view.w - 10;
  ctx.font = '600 12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const [text, bg] of badges) {
    const w = ctx.measureText(text).width + 16;
    x -= w;
    ctx.beginPath();
    ctx.roundRect(x, 10, w, 22, 4);
    ctx.fillStyle = bg;
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.fillText(text, x + 8, 21);
    x -= 8;
  }
}
