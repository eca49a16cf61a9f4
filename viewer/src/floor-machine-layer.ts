import type { MachineView } from '../../bridges/viewer/protocol.js';
import { FAILED_EDGE, FLOOR, machineColour } from './colours.js';
import type { FloorTransform } from './floor-transform.js';
import { type Box, overlaps } from './label-boxes.js';

/** Above this many, labels would be clutter; the tooltip tells instead. */
const LABEL_MACHINES_MAX = 80;

/**
 * The machines, cached on their own canvas over the static layer and
 * repainted only when a machine changes: one path per fill colour, so 500
 * machines cost a handful of fills.
 */
export class MachineLayer {
  readonly canvas = document.createElement('canvas');
  dirty = true;
  /** Where the machine labels went (CSS px), so cobot labels can keep clear of them. */
  labels: Box[] = [];
  /** The colour each machine was last drawn with (the tests' `machineColour` hook reads it). */
  readonly drawnColour = new Map<string, string>();

  /** A new plant: nothing of it drawn yet. */
  reset(): void {
    this.drawnColour.clear();
    this.dirty = true;
  }

  paint(view: FloorTransform, machines: readonly MachineView[]): void {
    this.dirty = false;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const { dpr } = view;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const size = view.machinePx();
    const half = size / 2;
    const radius = Math.min(4, size / 5);

    // One path per fill colour.
    const byColour = new Map<string, MachineView[]>();
    this.drawnColour.clear();
    for (const m of machines) {
      const c = machineColour(m);
      this.drawnColour.set(m.id, c);
      const list = byColour.get(c);
      if (list) list.push(m);
      else byColour.set(c, [m]);
    }
    for (const [colour, list] of byColour) {
      ctx.beginPath();
      for (const m of list) {
        if (size >= 10) ctx.roundRect(view.sx(m.x) - half, view.sy(m.y) - half, size, size, radius);
        else ctx.rect(view.sx(m.x) - half, view.sy(m.y) - half, size, size);
      }
      ctx.fillStyle = colour;
      ctx.fill();
    }

    // Failed machines get a bright edge and a cross, readable even when small.
    const failed = machines.filter((m) => m.state === 'failed');
    if (failed.length) {
      ctx.beginPath();
      const k = half * 0.5;
      for (const m of failed) {
        const x = view.sx(m.x);
        const y = view.sy(m.y);
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
    const resting = machines.filter((m) => m.state === 'idle' || m.state === 'waiting');
    if (resting.length && size >= 10) {
      ctx.beginPath();
      const k = size * 0.18;
      for (const m of resting) ctx.rect(view.sx(m.x) - k, view.sy(m.y) - k, 2 * k, 2 * k);
      ctx.fillStyle = 'rgba(13, 18, 24, 0.75)';
      ctx.fill();
    }

    this.labels = [];
    if (machines.length <= LABEL_MACHINES_MAX && size >= 12) {
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = FLOOR.label;
      // Below the machine, else one line lower, else left out: neighbours at one station must not overprint.
      const taken = this.labels;
      for (const m of machines) {
        const x = view.sx(m.x);
        const y = view.sy(m.y);
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
}
