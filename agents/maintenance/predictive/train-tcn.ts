import type * as TF from '@tensorflow/tfjs';
import { RandomStream } from '../../../sim/random/stream.js';
import { fromVariables, initTcn, tcnForward, tcnPredict, toVariables, type Params, type TcnConfig } from './tcn.js';
import { rmse } from './metrics.js';
import type { WindowSet } from './windows.js';

export interface TrainOptions {
  epochs: number;
  /** Examples per step. */
  batch?: number;
  /** At most this many steps per epoch (a federated site's local work per round); a whole pass when omitted. */
  stepsPerEpoch?: number;
  /** Adam's step size at the start; halved whenever validation has not improved for `patience` epochs. */
  learningRate?: number;
  patience?: number;
  /** Weight of the failure-within-horizon head's cross-entropy against the RUL head's squared error. */
  failWeight?: number;
  /** Weight of the component head's cross-entropy (needs `component` labels in the training set). */
  componentWeight?: number;
  seed: number;
  /** Start from these weights instead of a fresh network (federated rounds). */
  initial?: Params;
  /** Called after every epoch (progress bars, logs). */
  onEpoch?: (e: EpochReport) => void;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  loss: number;
  /** Validation RMSE (the cap's unit), when a validation set was given. */
  validationRmse?: number;
  learningRate: number;
  seconds: number;
}

/** Windows to score after each epoch: their true RUL (uncapped, as a test set reports it). */
export interface ValidationSet {
  set: WindowSet;
  trueRul: Float32Array;
}

export interface TrainResult {
  params: Params;
  /** The epoch whose weights are returned (the best on validation, or the last without one). */
  bestEpoch: number;
  validationRmse?: number;
  history: EpochReport[];
}

/**
 * Trains the TCN: Adam on mean squared error of RUL / cap plus weighted
 * binary cross-entropy of "fails within the horizon", minibatches in a
 * seeded order. With a validation set it keeps the best epoch's weights and
 * halves the step size on plateaus: model selection never looks at test data.
 */
export async function trainTcn(tf: typeof TF, c: TcnConfig, train: WindowSet, options: TrainOptions, validation?: ValidationSet): Promise<TrainResult> {
  const batch = options.batch ?? 256;
  const failWeight = options.failWeight ?? 0.1;
  const componentWeight = options.componentWeight ?? 0.1;
  const kinds = c.components ?? 0;
  if (kinds > 0 && !train.component) throw new RangeError('a TCN with a component head needs component labels');
  const cb = new Float32Array(batch * Math.max(1, kinds));
  const patience = options.patience ?? 6;
  let lr = options.learningRate ?? 2e-3;
  const rng = new RandomStream('tcn.batches', options.seed);
  const vars = toVariables(tf, options.initial ?? initTcn(c, options.seed));
  let optimizer = tf.train.adam(lr);
  const stride = c.window * c.inputs;
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const xb = new Float32Array(batch * stride);
  const yb = new Float32Array(batch);
  const fb = new Float32Array(batch);
  const history: EpochReport[] = [];
  let best: { params: Params; epoch: number; rmse: number } | undefined;
  let sinceBest = 0;

  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const start = performance.now();
      // Fisher–Yates with the run's own stream.
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      let lossSum = 0;
      let steps = 0;
      const maxSteps = options.stepsPerEpoch ?? Infinity;
      for (let s = 0; (s + batch <= train.n || (s < train.n && steps === 0)) && steps < maxSteps; s += batch) {
        const m = Math.min(batch, train.n - s);
        for (let i = 0; i < m; i++) {
          const k = order[s + i];
          xb.set(train.x.subarray(k * stride, (k + 1) * stride), i * stride);
          yb[i] = train.rul[k] / c.rulCap;
          fb[i] = train.rul[k] <= c.horizon ? 1 : 0;
        }
        if (kinds > 0) {
          cb.fill(0, 0, m * kinds);
          for (let i = 0; i < m; i++) cb[i * kinds + train.component![order[s + i]]] = 1;
        }
        const loss = optimizer.minimize(
          () =>
            tf.tidy(() => {
              const x = tf.tensor3d(xb.subarray(0, m * stride), [m, c.window, c.inputs]);
              const out = tcnForward(tf, c, vars, x);
              const r = tf.slice(out, [0, 0], [m, 1]);
              const l = tf.slice(out, [0, 1], [m, 1]);
              const mse = tf.losses.meanSquaredError(tf.tensor2d(yb.subarray(0, m), [m, 1]), r);
              const bce = tf.losses.sigmoidCrossEntropy(tf.tensor2d(fb.subarray(0, m), [m, 1]), l);
              const loss = tf.add(mse, tf.mul(bce, failWeight));
              if (kinds === 0) return loss as TF.Scalar;
              const ce = tf.losses.softmaxCrossEntropy(tf.tensor2d(cb.subarray(0, m * kinds), [m, kinds]), tf.slice(out, [0, 2], [m, kinds]));
              return tf.add(loss, tf.mul(ce, componentWeight)) as TF.Scalar;
            }),
          true,
        );
        lossSum += loss!.dataSync()[0];
        loss!.dispose();
        steps++;
      }
      const report: EpochReport = { epoch, epochs: options.epochs, loss: lossSum / steps, learningRate: lr, seconds: (performance.now() - start) / 1000 };
      if (validation) {
        const params = fromVariables(vars);
        const predicted = tcnPredict(tf, c, params, validation.set.x, validation.set.n).rul;
        report.validationRmse = rmse(predicted, validation.trueRul);
        if (!best || report.validationRmse < best.rmse) {
          best = { params, epoch, rmse: report.validationRmse };
          sinceBest = 0;
        } else if (++sinceBest >= patience) {
          // Plateau: a smaller step from the best weights so far.
          lr /= 2;
          sinceBest = 0;
          for (const [name, p] of Object.entries(best.params)) vars[name].assign(tf.tensor(p.data, p.shape));
          optimizer.dispose();
          optimizer = tf.train.adam(lr);
        }
      }
      history.push(report);
      options.onEpoch?.(report);
    }
    if (best) return { params: best.params, bestEpoch: best.epoch, validationRmse: best.rmse, history };
    return { params: fromVariables(vars), bestEpoch: options.epochs, history };
  } finally {
    optimizer.dispose();
    for (const v of Object.values(vars)) v.dispose();
  }
}
