import type { LogisticsMap, TruckView } from '../../bridges/viewer/protocol.js';
import { MAP, truckColour } from './colours.js';
import { type Box, overlaps } from './label-boxes.js';
import { fitMap, hasMap, type MapFit, placeIndex, routePolyline, toScreen } from './logistics-geometry.js';
import { drawBackdrop } from './map-backdrop.js';
import type { Changes, Store } from './state.js';

type Place = LogisticsMap['places'][number];

const PAD_PX = 34;
const FONT = '11px system-ui, sans-serif';
/** Trucks closer than this (px) are drawn side by side under one label. */
const CLUSTER_PX = 6;
const TRUCK_W = 13;
const TRUCK_H = 8;

/**
 * Suppliers, depots, the plant and the trucks on their routes, on a small
 * canvas. The map is static; the whole canvas is redrawn only when trucks
 * change (a handful of shapes), on a snapshot, and on resize.
 */
export class LogisticsMapView {
  private readonly ctx: CanvasRenderingContext2D;
  private places = new Map<string, Place>();
  private fit: MapFit = { scale: 1, ox: 0, oy: 0, minX: 0, maxY: 0 };
  private w = 1;
  private h = 1;
  private dpr = 1;
  private visible = false;
  /** What was drawn where, for the tooltip. */
  private targets: { x: number; y: number; r: number; text: string }[] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    /** Hidden, with the canvas, when the run has no logistics map. */
    private readonly wrap: HTMLElement,
    private readonly store: Store,
    private readonly onVisible: (visible: boolean) => void = () => {},
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    this.setVisible(false);
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  update(c: Changes): void {
    if (c.snapshot) {
      const map = this.store.state.map;
      this.places = placeIndex(map);
      this.setVisible(hasMap(map));
      this.refit();
    }
    if (this.visible && (c.snapshot || c.trucks)) this.draw();
  }

  /** The tooltip's text for what is under the pointer, if anything. */
  describe(px: number, py: number): string | undefined {
    let best: string | undefined;
    let bestD = Infinity;
    for (const t of this.targets) {
      const d = Math.hypot(t.x - px, t.y - py);
      if (d <= t.r && d < bestD) {
        bestD = d;
        best = t.text;
      }
    }
    return best;
  }

  private setVisible(visible: boolean): void {
    this.visible = visible;
    this.wrap.hidden = !visible;
    this.onVisible(visible);
  }

  private resize(): void {
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    if (w < 2 || h < 2) return; // hidden
    this.dpr = Math.min(2, window.devicePixelRatio || 1);
    this.w = w;
    this.h = h;
    this.canvas.width = Math.round(w * this.dpr);
    this.canvas.height = Math.round(h * this.dpr);
    this.refit();
    if (this.visible) this.draw();
  }

  private refit(): void {
    this.fit = fitMap([...this.places.values()], this.w, this.h, PAD_PX);
  }

  private xy(x: number, y: number): [number, number] {
    return toScreen(this.fit, x, y);
  }

  draw(): void {
    const { ctx, w, h } = this;
    if (w < 2 || h < 2) return; // not laid out yet: the resize draws
    const trucks = this.store.state.trucks;
    this.targets = [];
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.font = FONT;
    const taken = drawBackdrop(ctx, this.fit, w, h);
    this.drawRoutes(trucks);
    const placesPx = this.drawPlaces(taken);
    this.drawTrucks(trucks, placesPx, taken);
  }

  /** Routes ahead, dashed, in each truck's colour. */
  private drawRoutes(trucks: readonly TruckView[]): void {
    const { ctx } = this;
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5;
    for (const t of trucks) {
      const line = routePolyline(t, this.places);
      if (line.length < 2) continue;
      ctx.beginPath();
      line.forEach(([x, y], i) => {
        const [px, py] = this.xy(x, y);
        if (i === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.strokeStyle = truckColour(t.state);
      ctx.globalAlpha = 0.7;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.lineWidth = 1;
  }

  /** Places, markers first, then labels, the plant's first so it gets the best spot; returns the markers' screen points. */
  private drawPlaces(taken: Box[]): [number, number][] {
    const { ctx } = this;
    const rank = { plant: 0, depot: 1, supplier: 2 } as const;
    const places = [...this.places.values()].sort((a, b) => rank[a.kind] - rank[b.kind]);
    const screen = places.map((p) => this.xy(p.x, p.y));
    places.forEach((p, i) => {
      const [x, y] = screen[i];
      this.placeMarker(p.kind, x, y);
      taken.push({ x0: x - 8, y0: y - 8, x1: x + 8, y1: y + 8 });
      this.targets.push({ x, y, r: 10, text: `${p.id} (${p.kind})` });
    });
    places.forEach((p, i) => {
      const [x, y] = screen[i];
      ctx.font = p.kind === 'plant' ? `600 ${FONT}` : FONT;
      this.label(p.id, x, y, 9, p.kind === 'plant' ? MAP.plant : MAP.label, taken, ['below', 'above', 'right', 'left']);
    });
    ctx.font = FONT;
    return screen;
  }

  /** Trucks: one marker each; those at the same spot side by side, under one label. */
  private drawTrucks(trucks: readonly TruckView[], placesPx: readonly [number, number][], taken: Box[]): void {
    const { ctx } = this;
    const clusters: { x: number; y: number; trucks: TruckView[] }[] = [];
    for (const t of trucks) {
      const [x, y] = this.xy(t.x, t.y);
      const c = clusters.find((k) => Math.hypot(k.x - x, k.y - y) < CLUSTER_PX);
      if (c) c.trucks.push(t);
      else clusters.push({ x, y, trucks: [t] });
    }
    for (const c of clusters) {
      // A truck standing at a place sits just above the place's marker, not on it.
      const atPlace = placesPx.some(([px, py]) => Math.hypot(px - c.x, py - c.y) < CLUSTER_PX);
      const cy = atPlace ? c.y - 13 : c.y;
      const x0 = c.x - ((c.trucks.length - 1) * (TRUCK_W + 3)) / 2;
      c.trucks.forEach((t, i) => {
        const x = x0 + i * (TRUCK_W + 3);
        ctx.beginPath();
        ctx.roundRect(x - TRUCK_W / 2, cy - TRUCK_H / 2, TRUCK_W, TRUCK_H, 2);
        ctx.fillStyle = truckColour(t.state);
        ctx.fill();
        ctx.strokeStyle = MAP.outline;
        ctx.lineWidth = 1.5;
        ctx.stroke();
        ctx.lineWidth = 1;
        this.targets.push({ x, y: cy, r: 10, text: `${t.id} · ${t.state}${t.route.length ? ` · → ${t.route.join(' → ')}` : ''}` });
      });
      const half = ((c.trucks.length - 1) * (TRUCK_W + 3) + TRUCK_W) / 2;
      taken.push({ x0: c.x - half, y0: cy - TRUCK_H / 2, x1: c.x + half, y1: cy + TRUCK_H / 2 });
      const colour = c.trucks.length === 1 ? truckColour(c.trucks[0].state) : MAP.label;
      this.label(c.trucks.map((t) => t.id).join(', '), c.x, cy, half + 3, colour, taken, ['right', 'left', 'above', 'below']);
    }
  }

  private placeMarker(kind: Place['kind'], x: number, y: number): void {
    const { ctx } = this;
    ctx.beginPath();
    if (kind === 'plant') {
      ctx.rect(x - 6, y - 6, 12, 12);
      ctx.fillStyle = MAP.plant;
      ctx.fill();
      ctx.strokeStyle = MAP.outline;
      ctx.stroke();
      ctx.beginPath();
      ctx.rect(x - 9.5, y - 9.5, 19, 19);
      ctx.strokeStyle = MAP.plant;
      ctx.globalAlpha = 0.45;
      ctx.stroke();
      ctx.globalAlpha = 1;
      return;
    }
    if (kind === 'supplier') ctx.arc(x, y, 6, 0, Math.PI * 2);
    else {
      ctx.moveTo(x, y - 7);
      ctx.lineTo(x + 7, y);
      ctx.lineTo(x, y + 7);
      ctx.lineTo(x - 7, y);
      ctx.closePath();
    }
    ctx.fillStyle = kind === 'supplier' ? MAP.supplier : MAP.depot;
    ctx.fill();
    ctx.strokeStyle = MAP.outline;
    ctx.stroke();
  }

  /**
   * A label beside a marker `gap` px from its centre, at the first side where
   * it overlaps nothing drawn so far (else the first side), kept inside the canvas.
   */
  private label(text: string, x: number, y: number, gap: number, colour: string, taken: Box[], sides: ('below' | 'above' | 'right' | 'left')[]): void {
    const { ctx } = this;
    const tw = ctx.measureText(text).width;
    const th = 12;
    const boxes = sides.map((side) => {
      let bx = side === 'right' ? x + gap : side === 'left' ? x - gap - tw : x - tw / 2;
      let by = side === 'below' ? y + gap - 2 : side === 'above' ? y - gap - th + 2 : y - th / 2;
      bx = Math.min(this.w - 3 - tw, Math.max(3, bx));
      by = Math.min(this.h - 3 - th, Math.max(3, by));
      return { x0: bx, y0: by, x1: bx + tw, y1: by + th };
    });
    const box = boxes.find((b) => !taken.some((t) => overlaps(t, b))) ?? boxes[0];
    taken.push(box);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    // A dark halo keeps labels readable over routes and grid.
    ctx.lineWidth = 3;
    ctx.strokeStyle = MAP.background;
    ctx.strokeText(text, box.x0, (box.y0 + box.y1) / 2);
    ctx.lineWidth = 1;
    ctx.fillStyle = colour;
    ctx.fillText(text, box.x0, (box.y0 + box.y1) / 2);
  }
}
