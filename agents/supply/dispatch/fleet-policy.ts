import { join } from 'node:path';
import { projectRoot } from '../../../runtime/paths.js';
import type { RandomStream } from '../../../sim/random/stream.js';
import { FLEET_FEATURE_NAMES, fleetFeatures, type FeatureInput } from './fleet-features.js';
import type { FleetEnv, FleetOption, FleetPolicy } from './fleet-env.js';
import { argmaxFeasible, checkMlpWeights, mlpScores, sampleFeasible, softmaxFeasible, type MlpWeights } from './mlp-forward.js';
import { readWeights, type Weights } from './policy.js';
import { initMlpWeights } from './reinforce.js';

/**
 * The learned urgent dispatcher on the fleet model: the MLP of
 * mlp-forward.ts over the features of fleet-features.ts, one score per
 * truck that can quote the job, the highest wins (greedy; training samples
 * from the softmax). Untrained, the linear term is minus the regret, so it
 * picks a cheapest truck like the auction (ties may go another way).
 */

/** Logits per COST_SCALE of regret in the untrained linear term. */
export const FLEET_REGRET_WEIGHT = -10;

/** The committed weights (trained by train-fleet.ts). */
export const FLEET_WEIGHTS_FILE = join('agents', 'supply', 'dispatch', 'fleet-policy-weights.json');

export function initFleetWeights(hidden: number, rng: RandomStream): Weights {
  return initMlpWeights(FLEET_FEATURE_NAMES, hidden, rng, FLEET_REGRET_WEIGHT);
}

/** The features of a decision in the environment. */
export function envFeatures(env: FleetEnv, options: readonly FleetOption[]): Float32Array {
  return fleetFeatures({ job: env.job, trucks: env.trucks, quotes: options.map((o) => o.quote), ctx: env.ctx });
}

/**
 * The truck the learned policy gives the job to: an index into
 * `input.trucks` among those with a quote, or -1 when none has one. Pure
 * and synchronous (plain arrays, no tfjs).
 */
export function pickTruck(w: MlpWeights, input: FeatureInput): number {
  const x = fleetFeatures(input);
  return argmaxFeasible(mlpScores(w, x, input.trucks.length), input.quotes.map((q) => q !== undefined));
}

/** The deployed policy in the environment. */
export function greedyFleetPolicy(w: MlpWeights): FleetPolicy {
  return (env, options) => argmaxFeasible(mlpScores(w, envFeatures(env, options), options.length), options.map((o) => o.quote !== undefined));
}

/** The training policy: samples from the softmax with `rng`; `record` sees every decision. */
export function samplingFleetPolicy(
  w: MlpWeights,
  rng: RandomStream,
  record?: (features: Float32Array, feasible: boolean[], action: number) => void,
): FleetPolicy {
  return (env, options) => {
    const x = envFeatures(env, options);
    const feasible = options.map((o) => o.quote !== undefined);
    const p = softmaxFeasible(mlpScores(w, x, options.length), feasible);
    const action = sampleFeasible(p, feasible, rng);
    record?.(x, feasible, action);
    return action;
  };
}

/** Reads and checks weights trained on the fleet features. */
export function loadFleetWeights(path = join(projectRoot(), FLEET_WEIGHTS_FILE)): Weights {
  const w = readWeights(path, FLEET_FEATURE_NAMES);
  checkMlpWeights(w);
  return w;
}

let committed: { weights?: Weights; error?: string } | undefined;

/**
 * The committed weights, read once (the first call reads the file, later
 * calls return the same object); undefined when the file is missing or does
 * not fit the features, with the reason in `fleetWeightsError()`.
 */
export function committedFleetWeights(): Weights | undefined {
  if (!committed) {
    try {
      committed = { weights: loadFleetWeights() };
    } catch (e) {
      committed = { error: e instanceof Error ? e.message : String(e) };
    }
  }
  return committed.weights;
}

export function fleetWeightsError(): string | undefined {
  committedFleetWeights();
  return committed?.error;
}
