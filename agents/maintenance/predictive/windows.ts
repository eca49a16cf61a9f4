import type { Trajectory } from './cmapss.js';

/** Per-channel min-max scaling, fitted on training data only and carried inside the model file. */
export interface Scaling {
  min: number[];
  max: number[];
}

export function fitScaling(trajectories: readonly Trajectory[]): Scaling {
  const c = trajectories[0].rows[0].length;
  const min = new Array<number>(c).fill(Infinity);
  const max = new Array<number>(c).fill(-Infinity);
  for (const t of trajectories) {
    for (const r of t.rows) {
      for (let k = 0; k < c; k++) {
        if (r[k] < min[k]) min[k] = r[k];
        if (r[k] > max[k]) max[k] = r[k];
      }
    }
  }
  return { min, max };
}

/**
 * The window of `window` cycles ending at cycle `end` (1-based, inclusive),
 * scaled to [0, 1] by the training range (values outside it are not
 * clipped: a sensor beyond its training range is information). A trajectory
 * shorter than the window is padded at the front with its first row, the
 * usual practice for the short C-MAPSS test units.
 */
export function windowAt(rows: readonly number[][], end: number, window: number, s: Scaling, out: Float32Array, offset = 0): void {
  const c = s.min.length;
  for (let i = 0; i < window; i++) {
    const r = rows[Math.max(0, end - window + i)];
    for (let k = 0; k < c; k++) {
      const span = s.max[k] - s.min[k];
      out[offset + i * c + k] = span > 0 ? (r[k] - s.min[k]) / span : 0;
    }
  }
}

/** Training examples: every window of every unit (ending at each cycle from `window` on, or at the last for short units). */
export interface WindowSet {
  n: number;
  window: number;
  channels: number;
  /** [n, window, channels], row-major. */
  x: Float32Array;
  /** True RUL at the window's last cycle, capped. */
  rul: Float32Array;
  /** Unit of each example. */
  unit: Int32Array;
  /** Index of the component whose failure ended the unit's life, when the trajectories say. */
  component?: Int32Array;
}

export function trainingWindows(trajectories: readonly Trajectory[], window: number, s: Scaling, rulCap: number): WindowSet {
  const ends: [Trajectory, number][] = [];
  for (const t of trajectories) for (let end = Math.min(window, t.rows.length); end <= t.rows.length; end++) ends.push([t, end]);
  const c = s.min.length;
  const x = new Float32Array(ends.length * window * c);
  const rul = new Float32Array(ends.length);
  const unit = new Int32Array(ends.length);
  const labelled = trajectories.length > 0 && trajectories.every((t) => t.failedComponent !== undefined);
  const component = labelled ? new Int32Array(ends.length) : undefined;
  ends.forEach(([t, end], i) => {
    windowAt(t.rows, end, window, s, x, i * window * c);
    rul[i] = Math.min(rulCap, t.rows.length - end);
    unit[i] = t.unit;
    if (component) component[i] = t.failedComponent!;
  });
  return { n: ends.length, window, channels: c, x, rul, unit, ...(component ? { component } : {}) };
}

/** The window ending at each trajectory's last cycle, in unit order (what `pdm predict` scores). */
export function lastWindows(trajectories: readonly Trajectory[], window: number, s: Scaling): WindowSet {
  const c = s.min.length;
  const x = new Float32Array(trajectories.length * window * c);
  trajectories.forEach((t, i) => windowAt(t.rows, t.rows.length, window, s, x, i * window * c));
  return { n: trajectories.length, window, channels: c, x, rul: new Float32Array(trajectories.length), unit: Int32Array.from(trajectories.map((t) => t.unit)) };
}

/**
 * Causal exponential smoothing of every channel along each trajectory
 * (alpha = weight of the new reading): the sensors' measurement noise is
 * much faster than wear, and only the past is used, so a prediction at a
 * cycle still sees nothing after it.
 */
export function smoothTrajectories(trajectories: readonly Trajectory[], alpha: number): Trajectory[] {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`smoothing must be in (0, 1], got ${alpha}`);
  return trajectories.map((t) => {
    const rows: number[][] = [];
    let prev: number[] | undefined;
    for (const r of t.rows) {
      const next: number[] = prev ? r.map((v, k) => alpha * v + (1 - alpha) * prev![k]) : [...r];
      rows.push(next);
      prev = next;
    }
    return { unit: t.unit, rows };
  });
}
