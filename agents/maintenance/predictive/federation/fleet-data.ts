import type * as TF from '@tensorflow/tfjs';
import type { DegradationSpec } from '../../../../world/degradation/degradation-spec.js';
import { fleetHistories, type LoadProfile } from '../../../../world/degradation/fleet-histories.js';
import { SENSOR_CHANNELS } from '../../../../world/degradation/sensor-model.js';
import type { Trajectory } from '../cmapss.js';
import { splitUnits } from '../cmapss-training.js';
import { tcnPredict, type Params, type TcnConfig } from '../tcn.js';
import { trainingWindows, type Scaling, type WindowSet } from '../windows.js';

/**
 * A site's own data: a simulated fleet of one machine type run to failure
 * under the site's load, hourly samples of every sensor channel (the same
 * histories `pdm fleet` trains on), split by machine into training and
 * held-out validation. It never leaves the site; only what the federation
 * protocol sends does.
 */
export interface SiteFleet {
  site: string;
  train: Trajectory[];
  validation: Trajectory[];
  /** Mean life of the site's machines (failure time), hours. */
  meanLifeHours: number;
}

export interface SiteFleetOptions {
  site: string;
  spec: DegradationSpec;
  machines: number;
  load: number | LoadProfile;
  seed: number;
  /** Share of machines held out for validation. */
  holdout: number;
  /** Seconds between samples. */
  sampleInterval: number;
}

export function siteFleet(o: SiteFleetOptions): SiteFleet {
  // Machine ids (and so their random streams) carry the site's id: sites share a seed, never a machine.
  const histories = fleetHistories(o.spec, { machines: o.machines, seed: o.seed, sampleInterval: o.sampleInterval, load: o.load, idPrefix: o.site }).filter((h) => h.failure);
  if (histories.length < 2) throw new RangeError(`site "${o.site}": fewer than 2 of its ${o.machines} machines failed within 5 years; nothing to learn remaining life from`);
  const all: Trajectory[] = histories.map((h, i) => ({ unit: i + 1, rows: h.samples.map((s) => SENSOR_CHANNELS.map((c) => s[c])) }));
  const { train, validation } = splitUnits(
    all.map((t) => t.unit),
    o.holdout,
    o.seed,
  );
  return {
    site: o.site,
    train: all.filter((t) => train.has(t.unit)),
    validation: all.filter((t) => validation.has(t.unit)),
    meanLifeHours: histories.reduce((a, h) => a + h.failure!.time, 0) / histories.length / 3600,
  };
}

/**
 * Training windows, every `stride`-th one: windows a sample apart overlap in
 * all but one sample, so a stride trades little information for a
 * proportional cut in training time.
 */
export function strideWindows(trajectories: readonly Trajectory[], config: TcnConfig, scaling: Scaling, stride: number, rulCap = config.rulCap): WindowSet {
  const all = trainingWindows(trajectories, config.window, scaling, rulCap);
  if (stride <= 1) return all;
  const n = Math.ceil(all.n / stride);
  const d = all.window * all.channels;
  const x = new Float32Array(n * d);
  const rul = new Float32Array(n);
  const unit = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = k * stride;
    x.set(all.x.subarray(i * d, (i + 1) * d), k * d);
    rul[k] = all.rul[i];
    unit[k] = all.unit[i];
  }
  return { n, window: all.window, channels: all.channels, x, rul, unit };
}

/** Held-out windows scored against the true RUL capped at the model's cap (as `pdm fleet` scores). */
export interface Holdout {
  set: WindowSet;
  truth: Float32Array;
}

export function holdout(trajectories: readonly Trajectory[], config: TcnConfig, scaling: Scaling, stride: number): Holdout {
  const set = strideWindows(trajectories, config, scaling, stride, Infinity);
  return { set, truth: Float32Array.from(set.rul, (r) => Math.min(r, config.rulCap)) };
}

/** Squared errors summed and counted, so sites' figures pool into one RMSE. */
export interface ErrorSum {
  sse: number;
  n: number;
}

export function errors(tf: typeof TF, config: TcnConfig, params: Params, h: Holdout): ErrorSum {
  const { rul } = tcnPredict(tf, config, params, h.set.x, h.set.n);
  let sse = 0;
  for (let i = 0; i < h.set.n; i++) sse += (rul[i] - h.truth[i]) ** 2;
  return { sse, n: h.set.n };
}

/** RMSE in hours of one or more error sums (samples → hours by the sampling interval). */
export function rmseHours(sums: readonly ErrorSum[], hoursPerSample: number): number {
  const sse = sums.reduce((a, s) => a + s.sse, 0);
  const n = sums.reduce((a, s) => a + s.n, 0);
  return n > 0 ? Math.sqrt(sse / n) * hoursPerSample : NaN;
}
