import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../../runtime/paths.js';
import type { Policy } from './dispatch-env.js';
import { FEATURE_NAMES, optionFeatures } from './features.js';
import type { RandomStream } from '../../../sim/random/stream.js';
import { mlpScores, sampleFeasible, softmaxFeasible } from './mlp-forward.js';
import { initMlpWeights } from './reinforce.js';

/**
 * The learned dispatcher: one small MLP scores every option from its
 * features (the same weights for every truck and the courier, so the number
 * of trucks can change), infeasible options are masked out, and a softmax
 * over the scores is the policy. A linear term on the features runs beside
 * the MLP; it starts at "minus the regret" and the MLP's output layer at
 * zero, so the untrained policy's most likely choice is the heuristic's and
 * training starts from the baseline rather than from chance.
 *
 * Inference is plain JavaScript (no tfjs): the weights are small arrays,
 * saved as JSON next to this file.
 */

export const WeightsSchema = z.object({
  features: z.array(z.string()),
  hidden: z.number().int().positive(),
  w1: z.array(z.number()),
  b1: z.array(z.number()),
  w2: z.array(z.number()),
  b2: z.array(z.number()),
  w3: z.array(z.number()),
  b3: z.number(),
  skip: z.array(z.number()),
  meta: z.record(z.string(), z.unknown()).optional(),
});

export type Weights = z.infer<typeof WeightsSchema>;

/** Initial weight of the regret feature in the linear term (logits per courier-cost of regret). */
export const INITIAL_REGRET_WEIGHT = -10;

/** Fresh weights: Glorot-uniform hidden layers, a zero output layer, the linear term on the regret. */
export function initWeights(hidden: number, rng: RandomStream): Weights {
  return initMlpWeights(FEATURE_NAMES, hidden, rng, INITIAL_REGRET_WEIGHT);
}

/** Scores of `rows` options given their features (row-major, FEATURES per row). */
export function scores(w: Weights, x: Float32Array, rows: number): Float64Array {
  return mlpScores(w, x, rows);
}

/** Softmax probabilities over the feasible options (0 for infeasible ones). */
export function probabilities(s: Float64Array, feasible: readonly boolean[]): Float64Array {
  return softmaxFeasible(s, feasible);
}

/** The deployed policy: the feasible option with the highest score. */
export function greedyPolicy(w: Weights): Policy {
  return (env, options) => {
    const s = scores(w, optionFeatures(env, options), options.length);
    let best = -1;
    for (let i = 0; i < options.length; i++) if (options[i].feasible && (best < 0 || s[i] > s[best])) best = i;
    return best;
  };
}

/** The training policy: samples from the softmax with `rng`; `record` sees every decision. */
export function samplingPolicy(
  w: Weights,
  rng: RandomStream,
  record?: (features: Float32Array, feasible: boolean[], action: number) => void,
): Policy {
  return (env, options) => {
    const x = optionFeatures(env, options);
    const feasible = options.map((o) => o.feasible);
    const p = probabilities(scores(w, x, options.length), feasible);
    const action = sampleFeasible(p, feasible, rng);
    record?.(x, feasible, action);
    return action;
  };
}

/** The committed weights (trained by `bench/dispatch/train.ts`). */
export const WEIGHTS_FILE = join('agents', 'supply', 'dispatch', 'policy-weights.json');

export function loadWeights(path = join(projectRoot(), WEIGHTS_FILE)): Weights {
  return readWeights(path, FEATURE_NAMES);
}

/** Reads a weights file and checks it was trained on `features` (in that order). */
export function readWeights(path: string, features: readonly string[]): Weights {
  const w = WeightsSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  if (w.features.join() !== features.join()) throw new Error(`${path}: trained on other features (${w.features.join()})`);
  return w;
}
