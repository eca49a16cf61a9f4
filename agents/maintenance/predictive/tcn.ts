import type * as TF from '@tensorflow/tfjs';
import { RandomStream } from '../../../sim/random/stream.js';

/**
 * A temporal convolutional network (Bai, Kolter & Koltun 2018) for remaining
 * useful life: residual blocks of two dilated causal convolutions each, the
 * dilation doubling from block to block, read at the window's last step by
 * two heads: the RUL (as a fraction of the cap) and the logit of "fails
 * within the horizon".
 *
 * The weights are plain named arrays (`Params`), so the same numbers feed
 * tfjs for training, the ONNX exporter, and federated averaging.
 */
export interface TcnConfig {
  /** Sensor channels per time step. */
  inputs: number;
  /** Time steps per window. */
  window: number;
  /** Channels of every block. */
  channels: number;
  /** Taps per convolution. */
  kernel: number;
  /** One block per dilation, e.g. [1, 2, 4, 8]. */
  dilations: number[];
  /** RUL is predicted as a fraction of this cap (cycles or hours). */
  rulCap: number;
  /** "Fails within `horizon`" is the second head's event (same unit as RUL). */
  horizon: number;
  /**
   * Components a third head tells apart: softmax over which one's failure
   * ends the machine's life (times P(fail) = P(that component fails within
   * the horizon)). Absent or 0: no such head (C-MAPSS).
   */
  components?: number;
}

export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

/** Weights by name, in a fixed order (insertion order is the export order). */
export type Params = Record<string, Tensor32>;

/** Time steps the network sees back from its last step. */
export function receptiveField(c: TcnConfig): number {
  return 1 + 2 * (c.kernel - 1) * c.dilations.reduce((a, b) => a + b, 0);
}

/** Names and shapes of every weight, in order. */
export function tcnShapes(c: TcnConfig): [string, number[]][] {
  const shapes: [string, number[]][] = [];
  c.dilations.forEach((_, b) => {
    const cin = b === 0 ? c.inputs : c.channels;
    shapes.push([`b${b}.conv1.w`, [c.kernel * cin, c.channels]], [`b${b}.conv1.b`, [c.channels]]);
    shapes.push([`b${b}.conv2.w`, [c.kernel * c.channels, c.channels]], [`b${b}.conv2.b`, [c.channels]]);
    if (cin !== c.channels) shapes.push([`b${b}.res.w`, [cin, c.channels]]);
  });
  const outputs = 2 + (c.components ?? 0);
  shapes.push(['head.w', [c.channels, outputs]], ['head.b', [outputs]]);
  return shapes;
}

/** He-uniform weights (ReLU network), zero biases, from a seeded stream: the same seed gives the same network. */
export function initTcn(c: TcnConfig, seed: number): Params {
  const rng = new RandomStream('tcn.init', seed);
  const params: Params = {};
  for (const [name, shape] of tcnShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (shape.length === 2) {
      // The second convolution of a block starts small, so each block starts near its identity path.
      const gain = name.endsWith('conv2.w') ? 0.5 : 1;
      const a = gain * Math.sqrt(6 / shape[0]);
      for (let i = 0; i < size; i++) data[i] = (2 * rng.next() - 1) * a;
    }
    params[name] = { shape, data };
  }
  return params;
}

/** tfjs variables for training, one per weight. */
export function toVariables(tf: typeof TF, params: Params): Record<string, TF.Variable> {
  return Object.fromEntries(Object.entries(params).map(([name, p]) => [name, tf.variable(tf.tensor(p.data, p.shape), true, `tcn/${name}`)]));
}

export function fromVariables(vars: Record<string, TF.Variable>): Params {
  return Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) }]));
}

/**
 * Causal dilated convolution as left padding, `kernel` shifted slices, a
 * concatenation and one matrix product: tfjs has no gradient for dilated
 * conv1d and its wasm backend none for conv filters, and this form is also
 * exactly what the ONNX export writes (Pad, Slice, Concat, MatMul).
 * Tap j looks (kernel − 1 − j) · dilation steps back.
 */
function causalConv(tf: typeof TF, x: TF.Tensor3D, w: TF.Tensor, b: TF.Tensor, kernel: number, dilation: number): TF.Tensor3D {
  const [n, t, c] = x.shape;
  const padded = tf.pad(x, [
    [0, 0],
    [(kernel - 1) * dilation, 0],
    [0, 0],
  ]);
  const taps = Array.from({ length: kernel }, (_, j) => tf.slice(padded, [0, j * dilation, 0], [n, t, c]));
  const stacked = tf.concat(taps, 2).reshape([n * t, kernel * c]);
  return tf.add(tf.matMul(stacked, w as TF.Tensor2D), b).reshape([n, t, -1]) as TF.Tensor3D;
}

/** The heads' raw outputs, [n, 2 + components]: RUL as a fraction of the cap (unclamped), the failure logit, the component logits. */
export function tcnForward(tf: typeof TF, c: TcnConfig, p: Record<string, TF.Tensor>, x: TF.Tensor3D): TF.Tensor2D {
  let h = x;
  c.dilations.forEach((d, b) => {
    const y1 = tf.relu(causalConv(tf, h, p[`b${b}.conv1.w`], p[`b${b}.conv1.b`], c.kernel, d)) as TF.Tensor3D;
    const y2 = causalConv(tf, y1, p[`b${b}.conv2.w`], p[`b${b}.conv2.b`], c.kernel, d);
    const [n, t, cin] = h.shape;
    const skip = p[`b${b}.res.w`] ? (tf.matMul(h.reshape([n * t, cin]), p[`b${b}.res.w`] as TF.Tensor2D).reshape([n, t, c.channels]) as TF.Tensor3D) : h;
    h = tf.relu(tf.add(y2, skip)) as TF.Tensor3D;
  });
  const [n, t] = h.shape;
  const last = tf.slice(h, [0, t - 1, 0], [n, 1, c.channels]).reshape([n, c.channels]);
  return tf.add(tf.matMul(last as TF.Tensor2D, p['head.w'] as TF.Tensor2D), p['head.b']) as TF.Tensor2D;
}

/** What the model answers per window: RUL (clamped at 0, in the cap's unit) and P(failure within the horizon). */
export interface TcnOutputs {
  rul: Float32Array;
  pFail: Float32Array;
  /** With a component head: [n, components] row-major, P(this component's failure is the one coming). */
  component?: Float32Array;
}

/** Inference with tfjs, in batches: the reference the ONNX export is tested against. */
export function tcnPredict(tf: typeof TF, c: TcnConfig, params: Params, x: Float32Array, n: number, batch = 1024): TcnOutputs {
  const k = c.components ?? 0;
  const width = 2 + k;
  const rul = new Float32Array(n);
  const pFail = new Float32Array(n);
  const component = k > 0 ? new Float32Array(n * k) : undefined;
  const vars = Object.fromEntries(Object.entries(params).map(([name, v]) => [name, tf.tensor(v.data, v.shape)]));
  const stride = c.window * c.inputs;
  try {
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      const out = tf.tidy(() => {
        const xb = tf.tensor3d(x.subarray(s * stride, (s + m) * stride), [m, c.window, c.inputs]);
        const raw = tcnForward(tf, c, vars, xb);
        const [r, l] = tf.split(raw, [1, 1, ...(k > 0 ? [k] : [])], 1);
        const parts = [tf.relu(r).mul(c.rulCap), tf.sigmoid(l)];
        if (k > 0) parts.push(tf.softmax(tf.slice(raw, [0, 2], [m, k])));
        return tf.concat(parts, 1);
      });
      const v = out.dataSync();
      out.dispose();
      for (let i = 0; i < m; i++) {
        rul[s + i] = v[width * i];
        pFail[s + i] = v[width * i + 1];
        for (let j = 0; j < k; j++) component![(s + i) * k + j] = v[width * i + 2 + j];
      }
    }
  } finally {
    for (const t of Object.values(vars)) t.dispose();
  }
  return { rul, pFail, ...(component ? { component } : {}) };
}
