/**
 * The learned dispatchers' network, evaluated in plain TypeScript: pure,
 * synchronous, no tfjs, so it can run inside an agent's action. One small
 * MLP scores each option from its features (the same weights for every
 * option, so the number of options can change):
 *
 *   score(x) = relu(relu(x·W1 + b1)·W2 + b2)·w3 + b3 + x·skip
 *
 * W1 is F×H and W2 H×H, row-major (as tfjs's dataSync gives them); the
 * linear `skip` term runs beside the MLP (it starts at "minus the regret",
 * so an untrained policy picks the cheapest option). The number of features
 * F is `features.length`. Training (reinforce.ts) builds the same graph in
 * tfjs; a test checks both give the same scores.
 */
export interface MlpWeights {
  /** Names of the features, in the order of the input rows. */
  features: readonly string[];
  hidden: number;
  w1: readonly number[];
  b1: readonly number[];
  w2: readonly number[];
  b2: readonly number[];
  w3: readonly number[];
  b3: number;
  skip: readonly number[];
}

/** Scores of `rows` options given their features (row-major, `features.length` per row). */
export function mlpScores(w: MlpWeights, x: ArrayLike<number>, rows: number): Float64Array {
  const h = w.hidden;
  const F = w.features.length;
  const out = new Float64Array(rows);
  const a1 = new Float64Array(h);
  for (let r = 0; r < rows; r++) {
    const f = r * F;
    for (let j = 0; j < h; j++) {
      let s = w.b1[j];
      for (let i = 0; i < F; i++) s += x[f + i] * w.w1[i * h + j];
      a1[j] = s > 0 ? s : 0;
    }
    let y = w.b3;
    for (let j = 0; j < h; j++) {
      let s = w.b2[j];
      for (let i = 0; i < h; i++) s += a1[i] * w.w2[i * h + j];
      if (s > 0) y += s * w.w3[j];
    }
    for (let i = 0; i < F; i++) y += x[f + i] * w.skip[i];
    out[r] = y;
  }
  return out;
}

/** Index of the feasible option with the highest score (the first on ties); -1 when none is feasible. */
export function argmaxFeasible(scores: ArrayLike<number>, feasible: readonly boolean[]): number {
  let best = -1;
  for (let i = 0; i < scores.length; i++) if (feasible[i] && (best < 0 || scores[i] > scores[best])) best = i;
  return best;
}

/** Softmax probabilities over the feasible options (0 for the others). */
export function softmaxFeasible(s: ArrayLike<number>, feasible: readonly boolean[]): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < s.length; i++) if (feasible[i]) max = Math.max(max, s[i]);
  const p = new Float64Array(s.length);
  let z = 0;
  for (let i = 0; i < s.length; i++) {
    if (!feasible[i]) continue;
    p[i] = Math.exp(s[i] - max);
    z += p[i];
  }
  for (let i = 0; i < s.length; i++) p[i] /= z;
  return p;
}

/** Draws a feasible option from probabilities `p` with one uniform draw (the training policies' sampling). */
export function sampleFeasible(p: ArrayLike<number>, feasible: readonly boolean[], rng: { next(): number }): number {
  let u = rng.next();
  let action = -1;
  for (let i = 0; i < p.length; i++) {
    if (!feasible[i]) continue;
    action = i;
    u -= p[i];
    if (u < 0) break;
  }
  return action;
}

/** Checks that weights fit their feature list (array sizes); throws with what is wrong. */
export function checkMlpWeights(w: MlpWeights): void {
  const F = w.features.length;
  const h = w.hidden;
  const want: [string, number, number][] = [
    ['w1', w.w1.length, F * h],
    ['b1', w.b1.length, h],
    ['w2', w.w2.length, h * h],
    ['b2', w.b2.length, h],
    ['w3', w.w3.length, h],
    ['skip', w.skip.length, F],
  ];
  for (const [name, got, n] of want) if (got !== n) throw new Error(`MLP weights: ${name} has ${got} values, expected ${n}`);
  const all = [...w.w1, ...w.b1, ...w.w2, ...w.b2, ...w.w3, w.b3, ...w.skip];
  if (!all.every(Number.isFinite)) throw new Error('MLP weights: a value is not finite');
}
