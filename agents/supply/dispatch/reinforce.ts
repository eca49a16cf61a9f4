import type * as TF from '@tensorflow/tfjs';
import type { RandomStream } from '../../../sim/random/stream.js';
import type { MlpWeights } from './mlp-forward.js';

/**
 * The trainable side of the dispatchers' network (mlp-forward.ts), generic
 * over the number of features: the weights as tfjs variables, and one
 * REINFORCE step (policy gradient with an entropy bonus) on a batch of
 * decisions. Each decision is a row of `m` options (a softmax over the
 * feasible ones, infeasible ones masked out); the caller supplies the
 * features, the option taken and its advantage (return minus baseline).
 * Used by train.ts (the stand-alone day model) and fleet-train.ts (the
 * product's fleet model).
 */

/** Fresh weights: Glorot-uniform hidden layers, a zero output layer, the linear term only on `regret` (at `regretWeight`). */
export function initMlpWeights(features: readonly string[], hidden: number, rng: RandomStream, regretWeight: number): MlpWeights & { features: string[]; w1: number[]; b1: number[]; w2: number[]; b2: number[]; w3: number[]; skip: number[] } {
  const F = features.length;
  const glorot = (fanIn: number, fanOut: number) => {
    const a = Math.sqrt(6 / (fanIn + fanOut));
    return Array.from({ length: fanIn * fanOut }, () => rng.uniform(-a, a));
  };
  const skip = new Array<number>(F).fill(0);
  const r = features.indexOf('regret');
  if (r < 0) throw new Error('initMlpWeights: no "regret" feature');
  skip[r] = regretWeight;
  return {
    features: [...features],
    hidden,
    w1: glorot(F, hidden),
    b1: new Array<number>(hidden).fill(0),
    w2: glorot(hidden, hidden),
    b2: new Array<number>(hidden).fill(0),
    w3: new Array<number>(hidden).fill(0),
    b3: 0,
    skip,
  };
}

/** A batch of decisions: n rows of m options, features row-major (n·m·F), mask 0 / −1e9, action one-hot. */
export interface DecisionBatch {
  m: number;
  x: number[];
  mask: number[];
  action: number[];
  advantage: number[];
}

/** The plain-array weights of a network, as training reads them back. */
export type PlainWeights = MlpWeights & { features: string[]; w1: number[]; b1: number[]; w2: number[]; b2: number[]; w3: number[]; skip: number[] };

export class PolicyNet {
  private readonly v: Record<'w1' | 'b1' | 'w2' | 'b2' | 'w3' | 'b3' | 'skip', TF.Variable>;
  private readonly optimizer: TF.Optimizer;
  private readonly F: number;

  constructor(
    private readonly tf: typeof TF,
    private readonly init: MlpWeights,
    learningRate: number,
  ) {
    const F = (this.F = init.features.length);
    const h = init.hidden;
    this.v = {
      w1: tf.variable(tf.tensor2d([...init.w1], [F, h])),
      b1: tf.variable(tf.tensor1d([...init.b1])),
      w2: tf.variable(tf.tensor2d([...init.w2], [h, h])),
      b2: tf.variable(tf.tensor1d([...init.b2])),
      w3: tf.variable(tf.tensor2d([...init.w3], [h, 1])),
      b3: tf.variable(tf.scalar(init.b3)),
      skip: tf.variable(tf.tensor2d([...init.skip], [F, 1])),
    };
    this.optimizer = tf.train.adam(learningRate);
  }

  read(): PlainWeights {
    const v = this.v;
    return {
      features: [...this.init.features],
      hidden: this.init.hidden,
      w1: Array.from(v.w1.dataSync()),
      b1: Array.from(v.b1.dataSync()),
      w2: Array.from(v.w2.dataSync()),
      b2: Array.from(v.b2.dataSync()),
      w3: Array.from(v.w3.dataSync()),
      b3: v.b3.dataSync()[0],
      skip: Array.from(v.skip.dataSync()),
    };
  }

  /**
   * One gradient step on −mean(advantage · log π(action)) − entropy · mean(H(π)).
   * Advantages are divided by their root mean square first (the step size
   * does not depend on the cost scale). Nothing happens on an empty batch.
   */
  step(b: DecisionBatch, entropy: number): void {
    const tf = this.tf;
    const n = b.advantage.length;
    if (n === 0) return;
    const { m } = b;
    const F = this.F;
    const v = this.v;
    const sd = Math.sqrt(b.advantage.reduce((s, a) => s + a * a, 0) / n) || 1;
    const x = tf.tensor2d(b.x, [n * m, F]);
    const mask = tf.tensor2d(b.mask, [n, m]);
    const act = tf.tensor2d(b.action, [n, m]);
    const adv = tf.tensor1d(b.advantage.map((a) => a / sd));
    this.optimizer.minimize(
      () => {
        const a1 = tf.relu(tf.add(tf.matMul(x, v.w1), v.b1));
        const a2 = tf.relu(tf.add(tf.matMul(a1, v.w2), v.b2));
        const s = tf.add(tf.add(tf.matMul(a2, v.w3), v.b3), tf.matMul(x, v.skip));
        const logits = tf.add(tf.reshape(s, [n, m]), mask);
        const logp = tf.logSoftmax(logits);
        const chosen = tf.sum(tf.mul(logp, act), 1);
        const p = tf.exp(logp);
        const h = tf.neg(tf.sum(tf.mul(p, tf.where(tf.less(mask, -1), tf.zerosLike(logp), logp)), 1));
        return tf.sub(tf.neg(tf.mean(tf.mul(chosen, adv))), tf.mul(entropy, tf.mean(h))) as TF.Scalar;
      },
      false,
      Object.values(v),
    );
    tf.dispose([x, mask, act, adv]);
  }

  /** Scores of rows of features by the tfjs graph (for the check against mlp-forward.ts). */
  scores(x: number[], rows: number): Float32Array {
    const tf = this.tf;
    const v = this.v;
    const out = tf.tidy(() => {
      const t = tf.tensor2d(x, [rows, this.F]);
      const a1 = tf.relu(tf.add(tf.matMul(t, v.w1), v.b1));
      const a2 = tf.relu(tf.add(tf.matMul(a1, v.w2), v.b2));
      return tf.reshape(tf.add(tf.add(tf.matMul(a2, v.w3), v.b3), tf.matMul(t, v.skip)), [rows]);
    });
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  dispose(): void {
    this.tf.dispose(Object.values(this.v));
    this.optimizer.dispose();
  }
}
