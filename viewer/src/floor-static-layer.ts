import { FLOOR } from './colours.js';
import type { FloorTransform } from './floor-transform.js';
import type { Box } from './label-boxes.js';
import type { ViewState } from './state.js';

/**
 * The floor's bottom layer, cached on its own canvas and repainted only when
 * the floor, the machines' layout or the canvas size changes: background,
 * metre grid, walls and racks, station zones, and the other places.
 */
export class StaticLayer {
  readonly canvas = document.createElement('canvas');
  dirty = true;
  /** Where the place labels went (CSS px), so cobot labels can keep clear of them. */
  labels: Box[] = [];

  paint(view: FloorTransform, st: ViewState): void {
    this.dirty = false;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { dpr, w, h, scale } = view;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = FLOOR.background;
    ctx.fillRect(0, 0, w, h);

    // Grid: 1, 5, 10 … metre steps, whichever gives ~24 px or more.
    const b = st.floor.bounds;
    const step = [1, 2, 5, 10, 20, 50, 100, 200].find((m) => m * scale >= 24) ?? 500;
    ctx.lineWidth = 1;
    for (const [major, style] of [[false, FLOOR.grid], [true, FLOOR.gridMajor]] as const) {
      ctx.beginPath();
      const every = major ? step * 5 : step;
      for (let x = Math.ceil(b.minX / every) * every; x <= b.maxX; x += every) {
        const px = Math.round(view.sx(x)) + 0.5;
        ctx.moveTo(px, view.sy(b.minY));
        ctx.lineTo(px, view.sy(b.maxY));
      }
      for (let y = Math.ceil(b.minY / every) * every; y <= b.maxY; y += every) {
        const py = Math.round(view.sy(y)) + 0.5;
        ctx.moveTo(view.sx(b.minX), py);
        ctx.lineTo(view.sx(b.maxX), py);
      }
      ctx.strokeStyle = style;
      ctx.stroke();
    }
    ctx.strokeStyle = FLOOR.stationEdge;
    ctx.strokeRect(view.sx(b.minX) - 0.5, view.sy(b.minY) - 0.5, (b.maxX - b.minX) * scale + 1, (b.maxY - b.minY) * scale + 1);

    // Walls and racks.
    ctx.beginPath();
    for (const o of st.floor.obstacles) ctx.rect(view.sx(o.x), view.sy(o.y), o.w * scale, o.h * scale);
    ctx.fillStyle = FLOOR.obstacle;
    ctx.fill();
    ctx.strokeStyle = FLOOR.obstacleEdge;
    ctx.stroke();

    // Stations: a zone around the machines placed there.
    const half = view.machinePx() / 2;
    const zones = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
    for (const m of st.machines) {
      if (!m.station) continue;
      const z = zones.get(m.station) ?? { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      z.x0 = Math.min(z.x0, view.sx(m.x) - half);
      z.y0 = Math.min(z.y0, view.sy(m.y) - half);
      z.x1 = Math.max(z.x1, view.sx(m.x) + half);
      z.y1 = Math.max(z.y1, view.sy(m.y) + half);
      zones.set(m.station, z);
    }
    const labels = st.floor.places.length <= 120;
    this.labels = [];
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    for (const p of st.floor.places) {
      if (!view.inView(p.x, p.y)) continue; // far-away depots and suppliers
      const px = view.sx(p.x);
      const py = view.sy(p.y);
      if (p.kind === 'station') {
        const pad = Math.max(6, half * 0.5);
        const z = zones.get(p.id) ?? { x0: px - 10, y0: py - 10, x1: px + 10, y1: py + 10 };
        ctx.beginPath();
        ctx.roundRect(z.x0 - pad, z.y0 - pad, z.x1 - z.x0 + 2 * pad, z.y1 - z.y0 + 2 * pad, 6);
        ctx.fillStyle = FLOOR.station;
        ctx.fill();
        ctx.strokeStyle = FLOOR.stationEdge;
        ctx.setLineDash([4, 3]);
        ctx.stroke();
        ctx.setLineDash([]);
        if (labels) {
          ctx.fillStyle = FLOOR.label;
          const lx = z.x0 - pad + 2;
          const ly = z.y0 - pad - 3;
          ctx.fillText(p.id, lx, ly);
          this.labels.push({ x0: lx, y0: ly - 13, x1: lx + ctx.measureText(p.id).width, y1: ly });
        }
        continue;
      }
      ctx.beginPath();
      if (p.kind === 'charger') {
        ctx.rect(px - 6, py - 6, 12, 12);
        ctx.strokeStyle = FLOOR.charger;
        ctx.lineWidth = 1.5;
        ctx.stroke();
        ctx.lineWidth = 1;
        bolt(ctx, px, py);
        ctx.fillStyle = FLOOR.charger;
        ctx.fill();
      } else {
        // Docks, storage, bases: a diamond marker.
        ctx.moveTo(px, py - 7);
        ctx.lineTo(px + 7, py);
        ctx.lineTo(px, py + 7);
        ctx.lineTo(px - 7, py);
        ctx.closePath();
        ctx.fillStyle = FLOOR.place;
        ctx.fill();
      }
      if (labels) {
        ctx.fillStyle = FLOOR.labelDim;
        ctx.fillText(p.id, px + 10, py - 4);
        this.labels.push({ x0: px + 10, y0: py - 17, x1: px + 10 + ctx.measureText(p.id).width, y1: py - 4 });
      }
    }
  }
}

/** A charger's lightning bolt, centred on (x, y). */
function bolt(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.moveTo(x + 1, y - 5);
  ctx.lineTo(x - 3, y + 1);
  ctx.lineTo(x, y + 1);
  ctx.lineTo(x - 1, y + 5);
  ctx.lineTo(x + 3, y - 1);
  ctx.lineTo(x, y - 1);
  ctx.closePath();
}
