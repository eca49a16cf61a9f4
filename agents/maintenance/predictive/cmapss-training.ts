import { basename } from 'node:path';
import { RandomStream } from '../../../sim/random/stream.js';
import { INFORMATIVE_SENSORS, readCmapss, type Trajectory } from './cmapss.js';
import { phm08Score, rmse } from './metrics.js';
import { encodeRulModel, type RulModelInfo } from './rul-model.js';
import type { TcnConfig } from './tcn.js';
import { tcnPredict } from './tcn.js';
import { loadTf } from './tf-backend.js';
import { trainTcn, type EpochReport, type TrainResult, type ValidationSet } from './train-tcn.js';
import { fitScaling, smoothTrajectories, trainingWindows, windowAt, type Scaling, type WindowSet } from './windows.js';

/** The standard C-MAPSS protocol: window 30, RUL capped at 125 (piecewise-linear target). */
export const CMAPSS_WINDOW = 30;
export const CMAPSS_RUL_CAP = 125;
/** "Fails within 30 cycles": the failure head's event on C-MAPSS. */
export const CMAPSS_HORIZON = 30;

export interface CmapssTrainOptions {
  data: string;
  epochs: number;
  seed: number;
  channels?: number;
  /** Causal exponential smoothing of the inputs (weight of the new reading); none when omitted. */
  smoothing?: number;
  /** Networks in the ensemble, each from its own seed, averaged in the ONNX graph (default 1). */
  members?: number;
  /** Share of units held out for model selection (never the held-out test files). */
  validationShare?: number;
  onEpoch?: (e: EpochReport & { member: number; members: number }) => void;
}

export interface CmapssTrainResult {
  model: Uint8Array;
  info: RulModelInfo;
  validation: { units: number[]; trajectories: number; rmse: number; score: number; scorePer100: number; bestEpochs: number[]; memberRmse: number[] };
}

/** The TCN on C-MAPSS: the 14 sensors, window 30, dilations to cover it, RUL capped at 125. */
export function cmapssConfig(channels = 32): TcnConfig {
  return { inputs: INFORMATIVE_SENSORS.length, window: CMAPSS_WINDOW, channels, kernel: 3, dilations: [1, 2, 4, 8], rulCap: CMAPSS_RUL_CAP, horizon: CMAPSS_HORIZON };
}

/** What a C-MAPSS model file says about itself. */
export function cmapssModelInfo(config: TcnConfig, scaling: Scaling, smoothing: number | undefined, members: number, training: Record<string, unknown>): RulModelInfo {
  return {
    format: 1,
    kind: 'tcn-rul',
    config,
    channels: INFORMATIVE_SENSORS.map((s) => `s${s}`),
    scaling,
    ...(smoothing !== undefined ? { smoothing } : {}),
    members,
    training,
  };
}

/** Units held out for validation: a seeded draw of `share` of them. */
export function splitUnits(units: readonly number[], share: number, seed: number): { train: Set<number>; validation: Set<number> } {
  const rng = new RandomStream('cmapss.split', seed);
  const shuffled = [...units];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const k = Math.max(1, Math.round(units.length * share));
  return { validation: new Set(shuffled.slice(0, k)), train: new Set(shuffled.slice(k)) };
}

/**
 * Validation as the test files are made: each held-out unit's run-to-failure
 * trajectory cut at ten points, the model scoring the window that ends at the
 * cut, against the true RUL there (not capped, as the test's RUL files give
 * it). The cuts leave true RULs evenly spread from 5 to 145 cycles (or what
 * the unit's length allows): the range of the published test sets' RULs, so
 * validation errors read like test errors.
 */
export function truncatedValidation(trajectories: readonly Trajectory[], window: number, s: Scaling): ValidationSet {
  const cuts: [Trajectory, number][] = [];
  for (const t of trajectories) {
    const most = Math.max(5, Math.min(145, t.rows.length - window));
    for (let k = 0; k < 10; k++) cuts.push([t, t.rows.length - Math.round(5 + ((most - 5) * k) / 9)]);
  }
  const c = s.min.length;
  const x = new Float32Array(cuts.length * window * c);
  const trueRul = new Float32Array(cuts.length);
  cuts.forEach(([t, end], i) => {
    windowAt(t.rows, end, window, s, x, i * window * c);
    trueRul[i] = t.rows.length - end;
  });
  const set: WindowSet = { n: cuts.length, window, channels: c, x, rul: trueRul, unit: Int32Array.from(cuts.map(([t]) => t.unit)) };
  return { set, trueRul };
}

/** Trains a TCN on a C-MAPSS training file and returns the ONNX model with its validation figures. */
export async function trainCmapss(o: CmapssTrainOptions, version: string): Promise<CmapssTrainResult> {
  const raw = readCmapss(o.data);
  const all = o.smoothing !== undefined ? smoothTrajectories(raw, o.smoothing) : raw;
  const { train, validation } = splitUnits(
    all.map((t) => t.unit),
    o.validationShare ?? 0.2,
    o.seed,
  );
  const trainSet = all.filter((t) => train.has(t.unit));
  const valSet = all.filter((t) => validation.has(t.unit));
  const scaling = fitScaling(trainSet);
  const config = cmapssConfig(o.channels);
  const windows = trainingWindows(trainSet, config.window, scaling, config.rulCap);
  const val = truncatedValidation(valSet, config.window, scaling);
  const tf = await loadTf();
  const members = o.members ?? 1;
  const trained: TrainResult[] = [];
  for (let m = 0; m < members; m++) {
    // Same split for every member; each starts from its own weights and batch order.
    const seed = o.seed + 7919 * m;
    trained.push(await trainTcn(tf, config, windows, { epochs: o.epochs, seed, onEpoch: (e) => o.onEpoch?.({ ...e, member: m + 1, members }) }, val));
  }
  const predicted = new Float32Array(val.set.n);
  for (const r of trained) {
    const p = tcnPredict(tf, config, r.params, val.set.x, val.set.n).rul;
    for (let i = 0; i < p.length; i++) predicted[i] += p[i] / members;
  }
  const score = phm08Score(predicted, val.trueRul);
  const figures = {
    units: [...validation].sort((a, b) => a - b),
    trajectories: val.set.n,
    rmse: rmse(predicted, val.trueRul),
    score,
    scorePer100: (score / val.set.n) * 100,
    bestEpochs: trained.map((r) => r.bestEpoch),
    memberRmse: trained.map((r) => r.validationRmse ?? NaN),
  };
  const info = cmapssModelInfo(config, scaling, o.smoothing, members, { data: basename(o.data), seed: o.seed, epochs: o.epochs, trainUnits: train.size, validation: figures });
  return { model: encodeRulModel(info, trained.map((r) => r.params), version), info, validation: figures };
}
