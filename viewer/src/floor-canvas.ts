import { machineColour } from './colours.js';
import { CobotLayer } from './floor-cobots.js';
import { describeHit, findHit, type Hit } from './floor-hit-test.js';
import { MachineLayer } from './floor-machine-layer.js';
import { drawBadges, drawSelection, drawTrucks } from './floor-overlays.js';
import { StaticLayer } from './floor-static-layer.js';
import { FloorTransform, machineSize } from './floor-transform.js';
import type { Changes, Store } from './state.js';

/**
 * The floor on one <canvas>: walls, places and machines are painted into
 * cached layers when they change; each animation frame only composites them
 * and draws the cobots (gliding between server frames) and their paths, in
 * a few batched paths per colour, so 200 cobots and 500 machines stay smooth.
 */
export class FloorCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly view = new FloorTransform();
  private readonly staticLayer = new StaticLayer();
  private readonly machineLayer = new MachineLayer();
  private readonly cobots = new CobotLayer();
  /** The cached layers whose labels the cobot labels keep clear of. */
  private readonly labelledLayers = [this.staticLayer, this.machineLayer];
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
    const st = this.store.state;
    if (c.snapshot) {
      this.machineLayer.reset();
      this.view.machineSizeM = machineSize(st.machines);
      this.staticLayer.dirty = true;
      this.view.fit(st.floor.bounds);
      this.cobots.reset(st.cobots, now);
      return;
    }
    if (c.machinesAddedOrRemoved) {
      this.view.machineSizeM = machineSize(st.machines);
      this.staticLayer.dirty = true;
    }
    if (c.machines.size > 0 || c.machinesAddedOrRemoved) this.machineLayer.dirty = true;
    this.cobots.update(c, this.store, now);
  }

  /** Marks cobots named in a collision alert for a few seconds. */
  markCollision(subject: string, now: number): void {
    this.cobots.markCollision(subject, now);
  }

  /** The colour a machine was last drawn with. */
  colourOf(id: string): string | undefined {
    const drawn = this.machineLayer.drawnColour.get(id);
    if (drawn) return drawn;
    const m = this.store.machine(id);
    return m ? machineColour(m) : undefined;
  }

  requestFullRedraw(): void {
    this.staticLayer.dirty = true;
    this.machineLayer.dirty = true;
  }

  draw(now: number): void {
    const { ctx, view } = this;
    const st = this.store.state;
    if (this.staticLayer.dirty) this.staticLayer.paint(view, st);
    if (this.machineLayer.dirty) this.machineLayer.paint(view, st.machines);
    const { dpr } = view;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.staticLayer.canvas, 0, 0);
    ctx.drawImage(this.machineLayer.canvas, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const hover = this.hover;
    drawSelection(ctx, view, this.store, this.selected, hover?.kind === 'machine' ? hover.id : undefined);
    drawTrucks(ctx, view, st.trucks);
    this.cobots.draw(ctx, view, st.cobots, hover?.kind === 'cobot' ? hover.id : undefined, this.labelledLayers, now);
    drawBadges(ctx, view, st);
  }

  hitTest(px: number, py: number): Hit | undefined {
    return findHit(this.store, this.view, this.cobots, px, py);
  }

  /** One line for the tooltip. */
  describe(hit: Hit): string {
    return describeHit(this.store, hit);
  }

  private resize(): void {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const w = Math.max(1, this.canvas.clientWidth);
    const h = Math.max(1, this.canvas.clientHeight);
    for (const c of [this.canvas, this.staticLayer.canvas, this.machineLayer.canvas]) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    this.view.w = w;
    this.view.h = h;
    this.view.dpr = dpr;
    this.view.fit(this.store.state.floor.bounds);
    this.requestFullRedraw();
  }
}
