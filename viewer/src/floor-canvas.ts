import type { CobotView, MachineView } from '../../bridges/viewer/protocol.js';
import { cobotColour, FAILED_EDGE, FLOOR, machineColour } from './colours.js';
import { percent } from './format.js';
import type { Changes, Store } from './state.js';

/** What is under the pointer. */
export type Hit = { kind: 'machine' | 'cobot' | 'truck' | 'place'; id: string };

interface Motion {
  fx: number; fy: number; tx: number; ty: number;
  /** Wall-clock start (ms) and length of the glide to the target. */
  t0: number; dur: number;
}

interface View { scale: number; ox: number; oy: number; minX: number; minY: number; w: number; h: number; dpr: number }

const PAD_PX = 28;
const COBOT_RADIUS_M = 0.55;
/** Above this many, labels would be clutter; the tooltip tells instead. */
const LABEL_MACHINES_MAX = 80;
const LABEL_COBOTS_MAX = 30;
const COLLISION_MARK_MS = 6000;

/**
 * The floor on one <canvas>: walls, places and machines are painted into
 * cached layers when they change; each animation frame only composites them
 * and draws the cobots (gliding between server frames) and their paths, in
 * a few batched paths per colour, so 200 cobots and 500 machines stay smooth.
 */
export class FloorCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly staticLayer = document.createElement('canvas');
  private readonly machineLayer = document.createElement('canvas');
  private view: View = { scale: 1, ox: 0, oy: 0, minX: 0, minY: 0, w: 1, h: 1, dpr: 1 };
  private staticDirty = true;
  private machinesDirty = true;
  private readonly motion = new Map<string, Motion>();
  private readonly drawnColour = new Map<string, string>();
  private machineSizeM = 2.4;
  private frameIntervalMs = 100;
  private lastCobotFrame = 0;
  private readonly collisions = new Map<string, number>();
  /** Where the cached layers put their labels (CSS px), so cobot labels can keep clear of them. */
  private placeLabels: Box[] = [];
  private machineLabels: Box[] = [];
  selected: string | undefined;
  hover: Hit | undefined;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly store: Store) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas unavailable');
    this.ctx = ctx;
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  /** Called once per applied frame (before the next draw). */
  update(c: Changes, now: number): void {
    if (c.snapshot) {
      this.motion.clear();
      this.drawnColour.clear();
      this.machineSizeM = machineSize(this.store.state.machines);
      this.staticDirty = true;
      this.machinesDirty = true;
      this.fit();
      for (const r of this.store.state.cobots) this.motion.set(r.id, { fx: r.x, fy: r.y, tx: r.x, ty: r.y, t0: now, dur: 1 });
      return;
    }
    if (c.machinesAddedOrRemoved) {
      this.machineSizeM = machineSize(this.store.state.machines);
      this.staticDirty = true;
    }
    if (c.machines.size > 0 || c.machinesAddedOrRemoved) this.machinesDirty = true;
    if (c.cobots.size > 0) {
      // Glide over about one server frame interval so motion looks continuous.
      if (this.lastCobotFrame > 0) {
        const gap = Math.min(400, Math.max(40, now - this.lastCobotFrame));
        this.frameIntervalMs = this.frameIntervalMs * 0.8 + gap * 0.2;
      }
      this.lastCobotFrame = now;
      const b = this.store.state.floor.bounds;
      const jump = 0.25 * Math.hypot(b.maxX - b.minX, b.maxY - b.minY);
      for (const id of c.cobots) {
        const r = this.store.cobot(id);
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
      const alive = new Set(this.store.state.cobots.map((r) => r.id));
      for (const id of this.motion.keys()) if (!alive.has(id)) this.motion.delete(id);
    }
  }

  /** Marks cobots named in a collision alert for a few seconds. */
  markCollision(subject: string, now: number): void {
    this.collisions.set(subject, now + COLLISION_MARK_MS);
  }

  /** The colour a machine was last drawn with. */
  colourOf(id: string): string | undefined {
    const drawn = this.drawnColour.get(id);
    if (drawn) return drawn;
    const m = this.store.machine(id);
    return m ? machineColour(m) : undefined;
  }

  requestFullRedraw(): void {
    this.staticDirty = true;
    this.machinesDirty = true;
  }

  draw(now: number): void {
    if (this.staticDirty) this.paintStatic();
    if (this.machinesDirty) this.paintMachines();
    const { ctx } = this;
    const { dpr } = this.view;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.staticLayer, 0, 0);
    ctx.drawImage(this.machineLayer, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawSelection();
    this.drawTrucks();
    this.drawCobots(now);
    this.drawBadges();
  }

  hitTest(px: number, py: number): Hit | undefined {
    const st = this.store.state;
    const s = this.view.scale;
    const [wx, wy] = this.toWorld(px, py);
    let best: Hit | undefined;
    let bestD = Infinity;
    const consider = (kind: Hit['kind'], id: string, x: number, y: number, reachPx: number): void => {
      const d = Math.hypot(x - wx, y - wy) * s;
      if (d <= reachPx && d < bestD) {
        bestD = d;
        best = { kind, id };
      }
    };
    const now = performance.now();
    for (const r of st.cobots) {
      const m = this.motion.get(r.id);
      const [x, y] = m ? position(m, now) : [r.x, r.y];
      consider('cobot', r.id, x, y, Math.max(4, COBOT_RADIUS_M * s) + 3);
    }
    if (best) return best;
    const half = this.machinePx() / 2;
    for (const m of st.machines) consider('machine', m.id, m.x, m.y, half * 1.3 + 2);
    if (best) return best;
    for (const t of st.trucks) consider('truck', t.id, t.x, t.y, 10);
    for (const p of st.floor.places) consider('place', p.id, p.x, p.y, 10);
    return best;
  }

  /** One line for the tooltip. */
  describe(hit: Hit): string {
    if (hit.kind === 'machine') {
      const m = this.store.machine(hit.id);
      if (!m) return hit.id;
      const health = m.health === undefined ? '' : ` · health ${percent(m.health)}`;
      return `${m.id} (${m.type}) · ${m.state}${health}${m.workOrder ? ` · WO ${m.workOrder}` : ''} — click for details`;
    }
    if (hit.kind === 'cobot') {
      const r = this.store.cobot(hit.id);
      if (!r) return hit.id;
      const task = r.task ? ` · task ${r.task.id}: ${r.task.from} → ${r.task.to}` : ' · no task';
      const battery = r.battery === undefined ? '' : ` · battery ${percent(r.battery)}`;
      return `${r.id} · ${r.state}${task}${battery}`;
    }
    if (hit.kind === 'truck') {
      const t = this.store.state.trucks.find((x) => x.id === hit.id);
      return t ? `truck ${t.id} · ${t.state}${t.route.length ? ` · → ${t.route.join(' → ')}` : ''}` : hit.id;
    }
    const p = this.store.state.floor.places.find((x) => x.id === hit.id);
    return p ? `${p.id} (${p.kind})` : hit.id;
  }

  // --- geometry ---

  private resize(): void {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const w = Math.max(1, this.canvas.clientWidth);
    const h = Math.max(1, this.canvas.clientHeight);
    for (const c of [this.canvas, this.staticLayer, this.machineLayer]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    this.view.w = w;
    this.view.h = h;
    this.view.dpr = dpr;
    this.fit();
    this.requestFullRedraw();
  }

  private fit(): void {
    const b = this.store.state.floor.bounds;
    // A floor of one point (or none yet) still gets a sensible 10 m view.
    const bw = Math.max(10, b.maxX - b.minX);
    const bh = Math.max(10, b.maxY - b.minY);
    const { w, h } = this.view;
    const scale = Math.max(1e-6, Math.min((w - 2 * PAD_PX) / bw, (h - 2 * PAD_PX) / bh));
    this.view.scale = scale;
    this.view.minX = b.minX;
    this.view.minY = b.minY;
    this.view.ox = (w - bw * scale) / 2;
    this.view.oy = (h - bh * scale) / 2;
  }

  private sx(x: number): number {
    return this.view.ox + (x - this.view.minX) * this.view.scale;
  }

  private sy(y: number): number {
    return this.view.oy + (y - this.view.minY) * this.view.scale;
  }

  private toWorld(px: number, py: number): [number, number] {
    const v = this.view;
    return [(px - v.ox) / v.scale + v.minX, (py - v.oy) / v.scale + v.minY];
  }

  private machinePx(): number {
    return Math.max(5, Math.min(44, this.machineSizeM * this.view.scale));
  }

  private inView(x: number, y: number): boolean {
    const px = this.sx(x);
    const py = this.sy(y);
    return px >= -20 && py >= -20 && px <= this.view.w + 20 && py <= this.view.h + 20;
  }

  // --- cached layers ---

  private paintStatic(): void {
    this.staticDirty = false;
    const ctx = this.staticLayer.getContext('2d');
    if (!ctx) return;
    const { dpr, w, h, scale } = this.view;
    const st = this.store.state;
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
        const px = Math.round(this.sx(x)) + 0.5;
        ctx.moveTo(px, this.sy(b.minY));
        ctx.lineTo(px, this.sy(b.maxY));
      }
      for (let y = Math.ceil(b.minY / every) * every; y <= b.maxY; y += every) {
        const py = Math.round(this.sy(y)) + 0.5;
        ctx.moveTo(this.sx(b.minX), py);
        ctx.lineTo(this.sx(b.maxX), py);
      }
      ctx.strokeStyle = style;
      ctx.stroke();
    }
    ctx.strokeStyle = FLOOR.stationEdge;
    ctx.strokeRect(this.sx(b.minX) - 0.5, this.sy(b.minY) - 0.5, (b.maxX - b.minX) * scale + 1, (b.maxY - b.minY) * scale + 1);

    // Walls and racks.
    ctx.beginPath();
    for (const o of st.floor.obstacles) ctx.rect(this.sx(o.x), this.sy(o.y), o.w * scale, o.h * scale);
    ctx.fillStyle = FLOOR.obstacle;
    ctx.fill();
    ctx.strokeStyle = FLOOR.obstacleEdge;
    ctx.stroke();

    // Stations: a zone around the machines placed there.
    const half = this.machinePx() / 2;
    const zones = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
    for (const m of st.machines) {
      if (!m.station) continue;
      const z = zones.get(m.station) ?? { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
      z.x0 = Math.min(z.x0, this.sx(m.x) - half);
      z.y0 = Math.min(z.y0, this.sy(m.y) - half);
      z.x1 = Math.max(z.x1, this.sx(m.x) + half);
      z.y1 = Math.max(z.y1, this.sy(m.y) + half);
      zones.set(m.station, z);
    }
    const labels = st.floor.places.length <= 120;
    this.placeLabels = [];
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    for (const p of st.floor.places) {
      if (!this.inView(p.x, p.y)) continue; // far-away depots and suppliers
      const px = this.sx(p.x);
      const py = this.sy(p.y);
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
          this.placeLabels.push({ x0: lx, y0: ly - 13, x1: lx + ctx.measureText(p.id).width, y1: ly });
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
        this.placeLabels.push({ x0: px + 10, y0: py - 17, x1: px + 10 + ctx.measureText(p.id).width, y1: py - 4 });
      }
    }
  }

  private paintMachines(): void {
    this.machinesDirty = false;
    const ctx = this.machineLayer.getContext('2d');
    if (!ctx) return;
    const { dpr } = this.view;
    const st = this.store.state;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.machineLayer.width, this.machineLayer.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const size = this.machinePx();
    const half = size / 2;
    const radius = Math.min(4, size / 5);

    // One path per fill colour.
    const byColour = new Map<string, MachineView[]>();
    this.drawnColour.clear();
    for (const m of st.machines) {
      const c = machineColour(m);
      this.drawnColour.set(m.id, c);
      const list = byColour.get(c);
      if (list) list.push(m);
      else byColour.set(c, [m]);
    }
    for (const [colour, list] of byColour) {
      ctx.beginPath();
      for (const m of list) {
        if (size >= 10) ctx.roundRect(this.sx(m.x) - half, this.sy(m.y) - half, size, size, radius);
        else ctx.rect(this.sx(m.x) - half, this.sy(m.y) - half, size, size);
      }
      ctx.fillStyle = colour;
      ctx.fill();
    }

    // Failed machines get a bright edge and a cross, readable even when small.
    const failed = st.machines.filter((m) => m.state === 'failed');
    if (failed.length) {
      ctx.beginPath();
      const k = half * 0.5;
      for (const m of failed) {
        const x = this.sx(m.x);
        const y = this.sy(m.y);
        ctx.rect(x - half, y - half, size, size);
        ctx.moveTo(x - k, y - k);
        ctx.lineTo(x + k, y + k);
        ctx.moveTo(x + k, y - k);
        ctx.lineTo(x - k, y + k);
      }
      ctx.strokeStyle = FAILED_EDGE;
      ctx.lineWidth = size >= 10 ? 2 : 1;
      ctx.stroke();
      ctx.lineWidth = 1;
    }

    // Machines waiting for work or idle: a hollow centre.
    const resting = st.machines.filter((m) => m.state === 'idle' || m.state === 'waiting');
    if (resting.length && size >= 10) {
      ctx.beginPath();
      const k = size * 0.18;
      for (const m of resting) ctx.rect(this.sx(m.x) - k, this.sy(m.y) - k, 2 * k, 2 * k);
      ctx.fillStyle = 'rgba(13, 18, 24, 0.75)';
      ctx.fill();
    }

    this.machineLabels = [];
    if (st.machines.length <= LABEL_MACHINES_MAX && size >= 12) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = FLOOR.label;
      // Below the machine, else one line lower, else left out: neighbours at one station must not overprint.
      const taken = this.machineLabels;
      for (const m of st.machines) {
        const x = this.sx(m.x);
        const y = this.sy(m.y);
        const w = ctx.measureText(m.id).width + 4;
        for (const dy of [half + 9, half + 22]) {
          const box: Box = { x0: x - w / 2, y0: y + dy - 6, x1: x + w / 2, y1: y + dy + 6 };
          if (taken.some((b) => overlaps(b, box))) continue;
          taken.push(box);
          ctx.fillText(m.id, x, y + dy);
          break;
        }
      }
    }
  }

  // --- per frame ---

  private drawSelection(): void {
    const { ctx } = this;
    const half = this.machinePx() / 2 + 4;
    for (const [id, style, width] of [[this.selected, FLOOR.selection, 2], [this.hover?.kind === 'machine' ? this.hover.id : undefined, 'rgba(255,255,255,0.55)', 1.5]] as const) {
      if (!id) continue;
      const m = this.store.machine(id);
      if (!m) continue;
      ctx.beginPath();
      ctx.roundRect(this.sx(m.x) - half, this.sy(m.y) - half, 2 * half, 2 * half, 6);
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.stroke();
    }
    ctx.lineWidth = 1;
  }

  private drawTrucks(): void {
    const { ctx } = this;
    const trucks = this.store.state.trucks.filter((t) => this.inView(t.x, t.y));
    if (!trucks.length) return;
    const w = Math.max(14, 2.4 * this.view.scale);
    const h = Math.max(8, 1.2 * this.view.scale);
    ctx.beginPath();
    for (const t of trucks) ctx.roundRect(this.sx(t.x) - w / 2, this.sy(t.y) - h / 2, w, h, 2);
    ctx.fillStyle = FLOOR.truck;
    ctx.fill();
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillStyle = FLOOR.truck;
    for (const t of trucks) ctx.fillText(t.id, this.sx(t.x), this.sy(t.y) + h / 2 + 2);
  }

  private drawCobots(now: number): void {
    const { ctx } = this;
    const cobots = this.store.state.cobots;
    const pos = new Map<string, [number, number]>();
    for (const r of cobots) {
      const m = this.motion.get(r.id);
      const [x, y] = m ? position(m, now) : [r.x, r.y];
      pos.set(r.id, [this.sx(x), this.sy(y)]);
    }

    // Planned paths: one stroke for all, then their end points.
    ctx.beginPath();
    const ends: [number, number][] = [];
    for (const r of cobots) {
      if (!r.path?.length) continue;
      const [x, y] = pos.get(r.id)!;
      ctx.moveTo(x, y);
      for (const [px, py] of r.path) ctx.lineTo(this.sx(px), this.sy(py));
      const last = r.path[r.path.length - 1];
      ends.push([this.sx(last[0]), this.sy(last[1])]);
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
    const r0 = Math.max(3.5, Math.min(11, COBOT_RADIUS_M * this.view.scale));
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

    if (this.hover?.kind === 'cobot') {
      const p = pos.get(this.hover.id);
      if (p) {
        ctx.beginPath();
        ctx.arc(p[0], p[1], r0 + 3, 0, Math.PI * 2);
        ctx.strokeStyle = FLOOR.selection;
        ctx.stroke();
      }
    }

    if (cobots.length <= LABEL_COBOTS_MAX && this.view.scale >= 5) this.labelCobots(cobots, pos, r0);
  }

  /**
   * Each cobot's label to its right, else left, below or above, wherever it
   * clears the place, station and machine labels, the cobots, and the cobot
   * labels already drawn; left out when no side is clear (the tooltip tells).
   */
  private labelCobots(cobots: readonly CobotView[], pos: ReadonlyMap<string, [number, number]>, r0: number): void {
    const { ctx } = this;
    ctx.font = '10.5px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillStyle = 'rgba(226, 232, 240, 0.9)';
    const taken: Box[] = [...this.placeLabels, ...this.machineLabels];
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

  private drawBadges(): void {
    const st = this.store.state;
    const { ctx } = this;
    const badges: [string, string][] = [];
    const collisions = st.kpis.collisions;
    if (collisions !== undefined && collisions > 0) badges.push([`collisions: ${collisions}`, 'rgba(220, 38, 38, 0.9)']);
    if (st.finished) badges.push(['FINISHED', 'rgba(71, 85, 105, 0.9)']);
    else if (st.paused) badges.push(['PAUSED', 'rgba(180, 83, 9, 0.9)']);
    let x = this.view.w - 10;
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
}

interface Box { x0: number; y0: number; x1: number; y1: number }

function overlaps(a: Box, b: Box): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

function position(m: Motion, now: number): [number, number] {
  const f = Math.min(1, Math.max(0, (now - m.t0) / m.dur));
  return [m.fx + (m.tx - m.fx) * f, m.fy + (m.ty - m.fy) * f];
}

/** A machine's drawn size (m): most of the distance to its nearest neighbour, at most 2.4 m. */
function machineSize(machines: { x: number; y: number }[]): number {
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

function bolt(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.moveTo(x + 1, y - 5);
  ctx.lineTo(x - 3, y + 1);
  ctx.lineTo(x, y + 1);
  ctx.lineTo(x - 1, y + 5);
  ctx.lineTo(x + 3, y - 1);
  ctx.lineTo(x, y - 1);
  ctx.closePath();
}
