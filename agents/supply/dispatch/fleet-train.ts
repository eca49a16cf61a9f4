import type * as TF from '@tensorflow/tfjs';
import { RandomStream } from '../../../sim/random/stream.js';
import { FleetEnv, generateFleetDay, planFleetDay, runFleetEpisode, type FleetDayConfig, type FleetDayPlan } from './fleet-env.js';
import { COST_SCALE, FLEET_FEATURES } from './fleet-features.js';
import { greedyFleetPolicy, initFleetWeights, samplingFleetPolicy } from './fleet-policy.js';
import type { Weights } from './policy.js';
import { PolicyNet } from './reinforce.js';
import type { IterationReport, TrainResult } from './train.js';

/**
 * REINFORCE for the urgent dispatcher on the fleet model, as train.ts does
 * it for the stand-alone day model: every training day is played K times by
 * the stochastic policy; the urgent jobs do not depend on the decisions, so
 * the j-th decision of every replay is about the same job, and the mean
 * return-to-go of the other K−1 replays at that decision is the baseline.
 * A decision's cost is its quote's cost (exact on this model, see
 * fleet-env.ts); the return is minus the sum of the costs from the decision
 * to the end of the day. Every `validateEvery` iterations the greedy policy
 * plays the validation days and the best weights so far are kept
 * (iteration 0 is the untrained policy, i.e. cheapest insertion).
 */

export interface FleetTrainOptions {
  config: FleetDayConfig;
  iterations: number;
  /** Distinct days per iteration. */
  days: number;
  /** Replays of each day (K ≥ 2 for the baseline). */
  rollouts: number;
  learningRate: number;
  entropy: number;
  hidden: number;
  seed: number;
  /** Training days are seeds `firstSeed`, `firstSeed + 1`, …; keep them apart from validation and test seeds. */
  firstSeed: number;
  validationSeeds: number[];
  validateEvery: number;
  initial?: Weights;
  onIteration?: (r: IterationReport) => void;
}

/** The day's morning plan (the expensive, decision-independent part). */
export function fleetPlanOf(config: FleetDayConfig, seed: number): FleetDayPlan {
  return planFleetDay(config, generateFleetDay(config, seed));
}

/** Mean total cost of the greedy policy over pre-planned days. */
export function greedyFleetCost(config: FleetDayConfig, w: Weights, plans: readonly FleetDayPlan[]): number {
  const policy = greedyFleetPolicy(w);
  let s = 0;
  for (const p of plans) s += runFleetEpisode(new FleetEnv(config, p.day.seed, p), policy).totalCost;
  return s / plans.length;
}

interface Decision {
  x: Float32Array;
  feasible: boolean[];
  action: number;
}

export async function trainFleet(tf: typeof TF, o: FleetTrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const c = o.config;
  const m = c.trucks;
  const init = o.initial ?? initFleetWeights(o.hidden, new RandomStream('fleet-dispatch.init', o.seed));
  const net = new PolicyNet(tf, init, o.learningRate);
  const validation = o.validationSeeds.map((s) => fleetPlanOf(c, s));
  let best: Weights = net.read();
  let bestIteration = 0;
  let bestValidationCost = greedyFleetCost(c, best, validation);
  const history: IterationReport[] = [{ iteration: 0, trainCost: NaN, validationCost: bestValidationCost, seconds: (performance.now() - started) / 1000 }];
  o.onIteration?.(history[0]);
  const rng = new RandomStream('fleet-dispatch.train', o.seed);

  for (let it = 1; it <= o.iterations; it++) {
    const w = net.read();
    const x: number[] = [];
    const mask: number[] = [];
    const action: number[] = [];
    const advantage: number[] = [];
    let costSum = 0;
    let episodes = 0;
    for (let d = 0; d < o.days; d++) {
      const plan = fleetPlanOf(c, o.firstSeed + (it - 1) * o.days + d);
      const steps = plan.day.urgent.length;
      if (steps === 0) continue;
      const returns: number[][] = [];
      const records: Decision[][] = [];
      for (let k = 0; k < o.rollouts; k++) {
        const rec: Decision[] = [];
        const env = new FleetEnv(c, plan.day.seed, plan);
        const policy = samplingFleetPolicy(w, rng, (xs, feasible, a) => rec.push({ x: xs, feasible, action: a }));
        const costs: number[] = [];
        while (!env.done) {
          const options = env.options();
          costs.push(env.apply(options, policy(env, options)));
        }
        const g = new Array<number>(steps);
        let acc = 0;
        for (let j = steps - 1; j >= 0; j--) g[j] = acc -= costs[j];
        returns.push(g);
        records.push(rec);
        costSum += env.totalCost();
        episodes++;
      }
      for (let k = 0; k < o.rollouts; k++) {
        for (let j = 0; j < steps; j++) {
          const r = records[k][j];
          // A forced decision (one truck can take it) carries no gradient.
          if (r.feasible.filter(Boolean).length < 2) continue;
          let others = 0;
          for (let q = 0; q < o.rollouts; q++) if (q !== k) others += returns[q][j];
          advantage.push((returns[k][j] - others / (o.rollouts - 1)) / COST_SCALE);
          for (let i = 0; i < m; i++) {
            for (let f = 0; f < FLEET_FEATURES; f++) x.push(r.x[i * FLEET_FEATURES + f]);
            mask.push(r.feasible[i] ? 0 : -1e9);
            action.push(i === r.action ? 1 : 0);
          }
        }
      }
    }
    net.step({ m, x, mask, action, advantage }, o.entropy);
    const report: IterationReport = { iteration: it, trainCost: costSum / Math.max(1, episodes), seconds: (performance.now() - started) / 1000 };
    if (it % o.validateEvery === 0 || it === o.iterations) {
      const now = net.read();
      report.validationCost = greedyFleetCost(c, now, validation);
      if (report.validationCost < bestValidationCost - 1e-9) {
        best = now;
        bestIteration = it;
        bestValidationCost = report.validationCost;
      }
    }
    history.push(report);
    o.onIteration?.(report);
  }
  const final = net.read();
  net.dispose();
  return { weights: best, final, bestIteration, bestValidationCost, history, seconds: (performance.now() - started) / 1000 };
}
