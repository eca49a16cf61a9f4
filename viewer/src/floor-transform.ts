import type { FloorView } from '../../bridges/viewer/protocol.js';

const PAD_PX = 28;

/**
 * Where the floor's metres land on the canvas (CSS px, y down like the floor
 * plan): the floor's bounds fitted into the canvas, aspect ratio kept, centred.
 * Also how big a machine is drawn, since that follows the same scale.
 */
export class FloorTransform {
  scale = 1;
  ox = 0;
  oy = 0;
  minX = 0;
  minY = 0;
  /** The canvas in CSS px, and its device pixel ratio. */
  w = 1;
  h = 1;
  dpr = 1;
  /** A machine's drawn size in metres (see `machineSize`). */
  machineSizeM = 2.4;

  fit(b: FloorView['bounds']): void {
    // A floor of one point (or none yet) still gets a sensible 10 m view.
    const bw = Math.max(10, b.maxX - b.minX);
    const bh = Math.max(10, b.maxY - b.minY);
    const { w, h } = this;
    const scale = Math.max(1e-6, Math.min((w - 2 * PAD_PX) / bw, (h - 2 * PAD_PX) / bh));
    this.scale = scale;
    this.minX = b.minX;
    this.minY = b.minY;
    this.ox = (w - bw * scale) / 2;
    this.oy = (h - bh * scale) / 2;
  }

  sx(x: number): number {
    return this.ox + (x - this.minX) * this.scale;
  }

  sy(y: number): number {
    return this.oy + (y - this.minY) * this.scale;
  }

  toWorld(px: number, py: number): [number, number] {
    return [(px - this.ox) / this.scale + this.minX, (py - this.oy) / this.scale + this.minY];
  }

  /** A machine's drawn size (px), clamped to 5–44. */
  machinePx(): number {
    return Math.max(5, Math.min(44, this.machineSizeM * this.scale));
  }

  /** On the canvas or just beside it (far-away depots and suppliers are not). */
  inView(x: number, y: number): boolean {
    const px = this.sx(x);
    const py = this.sy(y);
    return px >= -20 && py >= -20 && px <= this.w + 20 && py <= this.h + 20;
  }
}

/** A machine's drawn size (m): most of the distance to its nearest neighbour, at most 2.4 m. */
export function machineSize(machines: { x: number; y: number }[]): number {
  if (machines.length < 2) return 2.4;
  // A grid of cells keeps nearest-neighbour search near linear for 500 machines.
  const cell = 4;
  const grid = new Map<string, { x: number; y: number }[]>();
  for (const m of machines) {
    const k = `${Math.floor(m.x / cell)},${Math.floor(m.y / cell)}`;
    const l = grid.get(k);
    if (l) l.push(m);
    else grid.set(k, [m]);
  }
  const nearest: number[] = [];
  for (const m of machines) {
    const gx = Math.floor(m.x / cell);
    const gy = Math.floor(m.y / cell);
    let d = Infinity;
    for (let i = -1; i <= 1; i++) {
      for (let j = -1; j <= 1; j++) {
        for (const o of grid.get(`${gx + i},${gy + j}`) ?? []) {
          if (o === m) continue;
          d = Math.min(d, Math.hypot(o.x - m.x, o.y - m.y));
        }
      }
    }
    nearest.push(d);
  }
  nearest.sort((a, b) => a - b);
  const median = nearest[Math.floor(nearest.length / 2)];
  return Number.isFinite(median) ? Math.min(2.4, Math.max(0.3, median * 0.6)) : 2.4;
}
