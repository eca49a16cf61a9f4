import type * as TF from '@tensorflow/tfjs';
import { RandomStream } from '../../../sim/random/stream.js';
import { OnnxGraph } from './onnx-graph.js';
import type { Params } from './tcn.js';

/**
 * An anomaly detector: a dense autoencoder over a whole window (window ×
 * channels, flattened), trained on healthy windows only. Its reconstruction
 * error (mean squared, per window) is the anomaly score; a window unlike
 * anything healthy reconstructs badly. The alarm threshold is a high quantile
 * of the scores of healthy windows the training never saw.
 */
export interface AutoencoderConfig {
  window: number;
  channels: number;
  /** Widths of the encoder's layers; the decoder mirrors them (e.g. [32, 8]). */
  hidden: number[];
}

const layers = (c: AutoencoderConfig): [string, number, number][] => {
  const widths = [c.window * c.channels, ...c.hidden, ...c.hidden.slice(0, -1).reverse(), c.window * c.channels];
  return widths.slice(1).map((w, i) => [`l${i}`, widths[i], w]);
};

export function initAutoencoder(c: AutoencoderConfig, seed: number): Params {
  const rng = new RandomStream('ae.init', seed);
  const p: Params = {};
  for (const [name, fanIn, fanOut] of layers(c)) {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    p[`${name}.w`] = { shape: [fanIn, fanOut], data: Float32Array.from({ length: fanIn * fanOut }, () => (2 * rng.next() - 1) * a) };
    p[`${name}.b`] = { shape: [fanOut], data: new Float32Array(fanOut) };
  }
  return p;
}

/** Reconstruction of flattened windows [n, window·channels]: ReLU inside, linear out. */
function reconstruct(tf: typeof TF, c: AutoencoderConfig, p: Record<string, TF.Tensor>, x: TF.Tensor2D): TF.Tensor2D {
  const ls = layers(c);
  let h = x;
  ls.forEach(([name], i) => {
    const z = tf.add(tf.matMul(h, p[`${name}.w`] as TF.Tensor2D), p[`${name}.b`]) as TF.Tensor2D;
    h = i < ls.length - 1 ? (tf.relu(z) as TF.Tensor2D) : z;
  });
  return h;
}

/** Anomaly scores of `n` windows with tfjs (the reference the ONNX export is tested against). */
export function autoencoderScores(tf: typeof TF, c: AutoencoderConfig, params: Params, x: Float32Array, n: number): Float32Array {
  const d = c.window * c.channels;
  return tf.tidy(() => {
    const vars = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
    const xs = tf.tensor2d(x.subarray(0, n * d), [n, d]);
    return tf.mean(tf.square(tf.sub(reconstruct(tf, c, vars, xs), xs)), 1).dataSync() as Float32Array;
  });
}

/** Trains on healthy windows only: Adam on the reconstruction error, seeded batches. */
export async function trainAutoencoder(tf: typeof TF, c: AutoencoderConfig, x: Float32Array, n: number, o: { epochs: number; seed: number; batch?: number; learningRate?: number }): Promise<Params> {
  const d = c.window * c.channels;
  const batch = o.batch ?? 256;
  const rng = new RandomStream('ae.batches', o.seed);
  const vars = Object.fromEntries(Object.entries(initAutoencoder(c, o.seed)).map(([k, v]) => [k, tf.variable(tf.tensor(v.data, v.shape), true, `ae/${k}`)]));
  const optimizer = tf.train.adam(o.learningRate ?? 1e-3);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const xb = new Float32Array(batch * d);
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        for (let i = 0; i < m; i++) xb.set(x.subarray(order[s + i] * d, (order[s + i] + 1) * d), i * d);
        optimizer.minimize(() =>
          tf.tidy(() => {
            const xs = tf.tensor2d(xb.subarray(0, m * d), [m, d]);
            return tf.mean(tf.square(tf.sub(reconstruct(tf, c, vars, xs), xs))) as TF.Scalar;
          }),
        );
      }
    }
    return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) }]));
  } finally {
    optimizer.dispose();
    for (const v of Object.values(vars)) v.dispose();
  }
}

/** The alarm level: the `q` quantile of healthy windows' scores (e.g. 0.995: one false alarm in 200 healthy windows). */
export function calibrateThreshold(healthyScores: ArrayLike<number>, q = 0.995): number {
  const sorted = Float64Array.from(healthyScores).sort();
  if (sorted.length === 0) throw new RangeError('no healthy scores to calibrate on');
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The autoencoder as ONNX: input `x` [n, window, channels], output `score` [n]. */
export function exportAutoencoderOnnx(c: AutoencoderConfig, params: Params, metadata: Record<string, string>, version: string): Uint8Array {
  const g = new OnnxGraph('hyperfactory-autoencoder');
  const x = g.node('Reshape', [g.input('x', ['n', c.window, c.channels]), g.ints([-1, c.window * c.channels])]);
  const ls = layers(c);
  let h = x;
  ls.forEach(([name], i) => {
    const p = (k: string) => g.floats(`${name}.${k}`, params[`${name}.${k}`].shape, params[`${name}.${k}`].data);
    const z = g.node('Add', [g.node('MatMul', [h, p('w')]), p('b')]);
    h = i < ls.length - 1 ? g.node('Relu', [z]) : z;
  });
  const diff = g.node('Sub', [h, x]);
  g.node('ReduceMean', [g.node('Mul', [diff, diff])], { axes: [1], keepdims: 0 }, 'score');
  g.output('score', ['n']);
  return g.encode(metadata, version);
}
