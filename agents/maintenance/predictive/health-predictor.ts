import { ModelFileError, readModelInfo, type RulModelInfo } from './rul-model.js';
import type { AnomalyModelInfo } from './anomaly-model.js';
import { SyncOnnxSession } from './sync-session.js';
import { windowAt } from './windows.js';

/**
 * The plant's edge inference: keeps each watched machine's latest telemetry
 * window and scores all ready windows of a machine type in one ONNX Runtime
 * call (RUL, P(failure within the horizon), anomaly score). Synchronous, so
 * a discrete-event run asks and gets its answer inside one kernel event.
 */

/** The two model files of a machine type, as bytes (the RUL model is required). */
export interface TypeModels {
  rul: Uint8Array;
  anomaly?: Uint8Array;
  /** Names for error messages (file paths). */
  names?: { rul: string; anomaly?: string };
}

/** What a machine type's models must have been trained for. */
export interface ModelExpectations {
  /** `specFingerprint` of the type's degradation spec. */
  spec: string;
  /** Seconds between telemetry samples. */
  sampleInterval: number;
}

export interface HealthPrediction {
  machine: string;
  rulHours: number;
  failureProbability: number;
  horizonHours: number;
  /** Held-out RUL RMSE of the model, hours: the spread the maintenance window assumes. */
  rulSpreadHours: number;
  /** Per component: P(that component fails within the horizon), when the model has a component head. */
  components?: Record<string, number>;
  anomaly?: number;
  anomalyThreshold?: number;
}

interface LoadedType {
  rulInfo: RulModelInfo;
  rul: SyncOnnxSession;
  anomalyInfo?: AnomalyModelInfo;
  anomaly?: SyncOnnxSession;
  hoursPerSample: number;
  spreadHours: number;
  machines: string[];
}

interface Buffer {
  type: string;
  rows: number[][];
  lastT: number;
}

/** Checks a fleet model was trained for this machine type's physics and telemetry interval. */
function checkTraining(training: Record<string, unknown>, name: string, type: string, expect: ModelExpectations): void {
  const retrain = `retrain it: hyperfactory pdm fleet SCENARIO --type ${type}`;
  if (training.spec !== expect.spec) throw new ModelFileError(`${name}: trained for other degradation physics than machine type "${type}" has now; ${retrain}`);
  if (training.sampleInterval !== expect.sampleInterval) {
    throw new ModelFileError(`${name}: trained on samples every ${String(training.sampleInterval)} s, the plant's telemetry comes every ${expect.sampleInterval} s; ${retrain}`);
  }
}

/**
 * A session on a model file whose metadata passed: ONNX Runtime may still
 * refuse the graph (a corrupted file), which is the file's fault and said
 * as such, not a plain Error from the worker.
 */
function openSession(name: string, model: Uint8Array, options: Parameters<typeof SyncOnnxSession.open>[1]): SyncOnnxSession {
  try {
    return SyncOnnxSession.open(model, options);
  } catch (e) {
    throw new ModelFileError(`${name}: ONNX Runtime cannot load it (${(e as Error).message.replace(/^ONNX Runtime worker: /, '')})`);
  }
}

export class HealthPredictor {
  private readonly types = new Map<string, LoadedType>();
  private readonly buffers = new Map<string, Buffer>();

  /**
   * @param machines machine id → machine type, for the machines to watch
   * @param models machine type → its model files
   */
  constructor(machines: ReadonlyMap<string, string>, models: ReadonlyMap<string, TypeModels>, expectations: ReadonlyMap<string, ModelExpectations>) {
    try {
      for (const [type, files] of models) {
        const names = files.names ?? { rul: `${type} RUL model`, anomaly: `${type} anomaly model` };
        const rulInfo = readModelInfo<RulModelInfo>(files.rul, names.rul, 'tcn-rul');
        const expect = expectations.get(type);
        if (expect) checkTraining(rulInfo.training, names.rul, type, expect);
        const anomalyInfo = files.anomaly ? readModelInfo<AnomalyModelInfo>(files.anomaly, names.anomaly ?? 'anomaly model', 'ae-anomaly') : undefined;
        if (anomalyInfo && expect) checkTraining(anomalyInfo.training, names.anomaly ?? 'anomaly model', type, expect);
        if (anomalyInfo && (anomalyInfo.channels.join() !== rulInfo.channels.join() || anomalyInfo.config.window > rulInfo.config.window)) {
          throw new ModelFileError(`${names.anomaly ?? 'anomaly model'}: reads other channels or a longer window than ${names.rul}`);
        }
        const c = rulInfo.config;
        const watched = [...machines].filter(([, t]) => t === type).map(([m]) => m);
        const maxBatch = Math.max(1, watched.length);
        const hoursPerSample = (expect?.sampleInterval ?? 3600) / 3600;
        const validation = (rulInfo.training.validation ?? {}) as { rmseHours?: number };
        const loaded: LoadedType = {
          rulInfo,
          rul: openSession(names.rul, files.rul, {
            input: 'x',
            inputTail: [c.window, c.inputs],
            outputs: [
              { name: 'rul', perExample: 1 },
              { name: 'p_fail', perExample: 1 },
              ...(c.components ? [{ name: 'p_component', perExample: c.components }] : []),
            ],
            maxBatch,
          }),
          hoursPerSample,
          // Without a recorded validation error, a tenth of the cap is a cautious spread.
          spreadHours: validation.rmseHours && validation.rmseHours > 0 ? validation.rmseHours : (c.rulCap * hoursPerSample) / 10,
          machines: watched,
        };
        this.types.set(type, loaded);
        if (files.anomaly && anomalyInfo) {
          const a = anomalyInfo.config;
          loaded.anomalyInfo = anomalyInfo;
          loaded.anomaly = openSession(names.anomaly ?? 'anomaly model', files.anomaly, { input: 'x', inputTail: [a.window, a.channels], outputs: [{ name: 'score', perExample: 1 }], maxBatch });
        }
        for (const m of watched) this.buffers.set(m, { type, rows: [], lastT: -Infinity });
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Machines this predictor watches. */
  watches(machine: string): boolean {
    return this.buffers.has(machine);
  }

  /**
   * One telemetry sample of a machine at time `t`. A gap of more than one
   * interval means the machine stopped (for a repair or a service, which
   * renews it): its window starts again.
   */
  observe(machine: string, t: number, signals: Readonly<Record<string, number>>): void {
    const b = this.buffers.get(machine);
    if (!b) return;
    const type = this.types.get(b.type)!;
    const interval = type.hoursPerSample * 3600;
    if (t - b.lastT > 1.5 * interval) b.rows = [];
    b.lastT = t;
    const row = type.rulInfo.channels.map((c) => signals[c] ?? NaN);
    if (row.some((v) => !Number.isFinite(v))) {
      // A sample missing a channel the model reads cannot be scored; the window restarts after it.
      b.rows = [];
      return;
    }
    b.rows.push(row);
    if (b.rows.length > type.rulInfo.config.window) b.rows.shift();
  }

  /** Scores every machine whose window is full, one batch per machine type, in a fixed order. */
  predict(): HealthPrediction[] {
    const out: HealthPrediction[] = [];
    for (const type of this.types.values()) {
      const c = type.rulInfo.config;
      const ready = type.machines.filter((m) => this.buffers.get(m)!.rows.length === c.window);
      if (ready.length === 0) continue;
      const per = c.window * c.inputs;
      const x = new Float32Array(ready.length * per);
      ready.forEach((m, i) => windowAt(this.buffers.get(m)!.rows, c.window, c.window, type.rulInfo.scaling, x, i * per));
      const [rul, pFail, shares] = type.rul.run(x, ready.length);
      const names = type.rulInfo.components ?? [];
      let scores: Float32Array | undefined;
      if (type.anomaly && type.anomalyInfo) {
        const a = type.anomalyInfo;
        const ax = new Float32Array(ready.length * a.config.window * a.config.channels);
        ready.forEach((m, i) => windowAt(this.buffers.get(m)!.rows.slice(-a.config.window), a.config.window, a.config.window, a.scaling, ax, i * a.config.window * a.config.channels));
        [scores] = type.anomaly.run(ax, ready.length);
      }
      ready.forEach((machine, i) =>
        out.push({
          machine,
          rulHours: Math.max(0, rul[i] * type.hoursPerSample),
          failureProbability: Math.min(1, Math.max(0, pFail[i])),
          horizonHours: c.horizon * type.hoursPerSample,
          rulSpreadHours: type.spreadHours,
          ...(shares && names.length > 0 ? { components: Object.fromEntries(names.map((name, k) => [name, Math.min(1, Math.max(0, pFail[i])) * shares[i * names.length + k]])) } : {}),
          ...(scores && type.anomalyInfo ? { anomaly: Math.max(0, scores[i]), anomalyThreshold: type.anomalyInfo.threshold } : {}),
        }),
      );
    }
    return out;
  }

  /** Stops the inference workers. */
  close(): void {
    for (const t of this.types.values()) {
      void t.rul.close();
      void t.anomaly?.close();
    }
    this.types.clear();
  }
}
