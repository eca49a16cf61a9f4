import { specFingerprint, type DegradationSpec } from '../../../world/degradation/degradation-spec.js';
import { fleetHistories, type LoadProfile } from '../../../world/degradation/fleet-histories.js';
import { SENSOR_CHANNELS } from '../../../world/degradation/sensor-model.js';
import { encodeAnomalyModel } from './anomaly-model.js';
import { autoencoderScores, calibrateThreshold, trainAutoencoder, type AutoencoderConfig } from './autoencoder.js';
import type { Trajectory } from './cmapss.js';
import { splitUnits } from './cmapss-training.js';
import { brier, reliability, rmse } from './metrics.js';
import { encodeRulModel } from './rul-model.js';
import { tcnPredict, type TcnConfig } from './tcn.js';
import { loadTf } from './tf-backend.js';
import { trainTcn } from './train-tcn.js';
import { fitScaling, trainingWindows, type WindowSet } from './windows.js';

export interface FleetTrainOptions {
  spec: DegradationSpec;
  /** The machine type's name, recorded in the models. */
  machineType?: string;
  /** Machines simulated run to failure (a fifth held out for validation). */
  machines: number;
  seed: number;
  epochs: number;
  /** Samples per window (hourly samples: 24 = a day). */
  window?: number;
  horizonHours?: number;
  rulCapHours?: number;
  channels?: number;
  load?: number | LoadProfile;
  /** Seconds between samples: the telemetry interval the models will be served at (default 1 h). */
  sampleInterval?: number;
  /** Progress: which network and its epoch report. */
  onEpoch?: (network: 'rul' | 'anomaly', e: { epoch: number; epochs: number; loss: number }) => void;
}

export interface FleetFigures {
  rmseHours: number;
  brier: number;
  reliability: ReturnType<typeof reliability>;
  /** Of held-out windows within the horizon of a failure, the share whose most likely component is the one that failed. */
  componentAccuracy: number;
  anomaly: { threshold: number; precision: number; recall: number; medianLeadHours: number; falseAlarmRate: number };
}

/**
 * Trains the maintenance models of one machine type on its own simulated
 * fleet (`fleetHistories`: hourly samples of every sensor channel, run to
 * failure): the TCN for RUL (hours, capped) and P(failure within the
 * horizon), and the autoencoder on healthy windows. Validation on held-out
 * machines: RUL RMSE, Brier score and reliability of the probabilities, and
 * the anomaly alarm's precision, recall and median lead time before failure.
 */
export async function trainFleetModels(o: FleetTrainOptions, version: string): Promise<{ rul: Uint8Array; anomaly: Uint8Array; figures: FleetFigures }> {
  const window = o.window ?? 24;
  const sampleInterval = o.sampleInterval ?? 3600;
  // The network counts in samples; figures are reported in hours.
  const perSample = (hours: number) => (hours * 3600) / sampleInterval;
  const histories = fleetHistories(o.spec, { machines: o.machines, seed: o.seed, sampleInterval, load: o.load ?? { min: 0.6, max: 1, segment: 8 * 3600 } }).filter((h) => h.failure);
  const componentIds = o.spec.components.map((c) => c.id);
  const all: (Trajectory & { faulty: Uint8Array })[] = histories.map((h, i) => ({
    unit: i + 1,
    rows: h.samples.map((s) => SENSOR_CHANNELS.map((c) => s[c])),
    faulty: h.faulty,
    failedComponent: componentIds.indexOf(h.failure!.component),
  }));
  const { train, validation } = splitUnits(
    all.map((t) => t.unit),
    0.2,
    o.seed,
  );
  const trainSet = all.filter((t) => train.has(t.unit));
  const valSet = all.filter((t) => validation.has(t.unit));
  const scaling = fitScaling(trainSet);
  const config: TcnConfig = { inputs: SENSOR_CHANNELS.length, window, channels: o.channels ?? 16, kernel: 3, dilations: [1, 2, 4, 8], components: componentIds.length, rulCap: perSample(o.rulCapHours ?? 336), horizon: perSample(o.horizonHours ?? 48) };
  const tf = await loadTf();
  const windows = trainingWindows(trainSet, window, scaling, config.rulCap);
  const val = trainingWindows(valSet, window, scaling, Infinity);
  const { params } = await trainTcn(tf, config, windows, { epochs: o.epochs, seed: o.seed, onEpoch: (e) => o.onEpoch?.('rul', e) });
  const out = tcnPredict(tf, config, params, val.x, val.n);
  const capped = Float32Array.from(val.rul, (r) => Math.min(r, config.rulCap));
  const failed = Float32Array.from(val.rul, (r) => (r <= config.horizon ? 1 : 0));

  // The autoencoder learns healthy windows only (no fault started by the window's last sample).
  const ae: AutoencoderConfig = { window, channels: SENSOR_CHANNELS.length, hidden: [32, 8] };
  const healthyTrain = select(windows, (_i, unit, end) => trainSet.find((t) => t.unit === unit)!.faulty[end] === 0);
  const aeParams = await trainAutoencoder(tf, ae, healthyTrain.x, healthyTrain.n, { epochs: Math.max(2, Math.round(o.epochs / 2)), seed: o.seed });
  const threshold = calibrateThreshold(autoencoderScores(tf, ae, aeParams, healthyTrain.x, healthyTrain.n), 0.995);
  const scores = autoencoderScores(tf, ae, aeParams, val.x, val.n);
  const anomaly = alarmFigures(val, scores, threshold, valSet, window, sampleInterval / 3600);

  const figures: FleetFigures = {
    rmseHours: (rmse(out.rul, capped) * sampleInterval) / 3600,
    brier: brier(out.pFail, failed),
    reliability: reliability(out.pFail, failed),
    componentAccuracy: componentAccuracy(out.component!, val.component!, failed, componentIds.length),
    anomaly,
  };
  // What a plant checks before serving the models: the same physics, sampled at the same interval.
  const training = { machineType: o.machineType, spec: specFingerprint(o.spec), sampleInterval, load: o.load ?? 'profile', machines: o.machines, seed: o.seed, epochs: o.epochs, validation: figures };
  return {
    rul: encodeRulModel({ format: 1, kind: 'tcn-rul', config, channels: [...SENSOR_CHANNELS], components: componentIds, scaling, members: 1, training }, params, version),
    anomaly: encodeAnomalyModel({ format: 1, kind: 'ae-anomaly', config: ae, channels: [...SENSOR_CHANNELS], scaling, threshold, training }, aeParams, version),
    figures,
  };
}

function componentAccuracy(p: Float32Array, truth: Int32Array, near: Float32Array, k: number): number {
  let right = 0;
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    if (near[i] !== 1) continue;
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
    total++;
    if (best === truth[i]) right++;
  }
  return total > 0 ? right / total : 0;
}

/** The windows of a set for which `keep(i, unit, lastSampleIndex)` holds. */
function select(set: WindowSet, keep: (i: number, unit: number, end: number) => boolean): { x: Float32Array; n: number } {
  const d = set.window * set.channels;
  const idx: number[] = [];
  // Windows of a unit come in order, ending at samples window-1, window, …
  let unit = -1;
  let end = 0;
  for (let i = 0; i < set.n; i++) {
    if (set.unit[i] !== unit) {
      unit = set.unit[i];
      end = set.window - 1;
    } else end++;
    if (keep(i, unit, end)) idx.push(i);
  }
  const x = new Float32Array(idx.length * d);
  idx.forEach((i, k) => x.set(set.x.subarray(i * d, (i + 1) * d), k * d));
  return { x, n: idx.length };
}

/** Precision and recall of the alarm against "a fault has started", and how long before failure it first sounds. */
function alarmFigures(val: WindowSet, scores: Float32Array, threshold: number, machines: readonly (Trajectory & { faulty: Uint8Array })[], window: number, hoursPerSample: number): FleetFigures['anomaly'] {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let healthy = 0;
  const leads: number[] = [];
  let i = 0;
  for (const m of machines) {
    let first: number | undefined;
    for (let end = Math.min(window, m.rows.length); end <= m.rows.length; end++, i++) {
      const alarm = scores[i] > threshold;
      const faulty = m.faulty[end - 1] === 1;
      if (alarm && faulty) tp++;
      else if (alarm) fp++;
      else if (faulty) fn++;
      if (!faulty) healthy++;
      if (alarm && faulty && first === undefined) first = (m.rows.length - end) * hoursPerSample;
    }
    if (first !== undefined) leads.push(first);
  }
  leads.sort((a, b) => a - b);
  return {
    threshold,
    precision: tp + fp > 0 ? tp / (tp + fp) : 0,
    recall: tp + fn > 0 ? tp / (tp + fn) : 0,
    medianLeadHours: leads.length > 0 ? leads[Math.floor(leads.length / 2)] : 0,
    falseAlarmRate: healthy > 0 ? fp / healthy : 0,
  };
}

