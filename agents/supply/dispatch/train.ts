import { writeFileSync } from 'node:fs';
import type * as TF from '@tensorflow/tfjs';
import { RandomStream } from '../../../sim/random/stream.js';
import type { DispatchConfig } from './day.js';
import { DispatchEnv, runEpisode, type TruckState } from './dispatch-env.js';
import type { Day } from './day.js';
import { FEATURES } from './features.js';
import { greedyPolicy, initWeights, samplingPolicy, type Weights } from './policy.js';
import { PolicyNet } from './reinforce.js';

/**
 * REINFORCE for the dispatcher, with a leave-one-out baseline from common
 * random numbers: every training day is played K times by the stochastic
 * policy; the urgent jobs do not depend on the decisions, so the j-th
 * decision of every replay is about the same job, and the mean return-to-go
 * of the other K-1 replays at that decision is a baseline that removes the
 * day-to-day variation (a busy day is costly whatever one does) and leaves
 * the effect of the decisions. The return is minus the sum of the cost
 * increments from the decision to the end of the day (undiscounted: one day
 * is one episode).
 *
 * Model selection: every `validateEvery` iterations the greedy policy plays
 * the validation days and the best weights so far are kept (iteration 0 is
 * the untrained policy, i.e. the heuristic), so training can only return
 * something at least as good as its start on those days.
 */

export interface TrainOptions {
  config: DispatchConfig;
  iterations: number;
  /** Distinct days per iteration. */
  days: number;
  /** Replays of each day (K ≥ 2 for the baseline). */
  rollouts: number;
  learningRate: number;
  /** Weight of the entropy bonus. */
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

export interface IterationReport {
  iteration: number;
  /** Mean total cost of the sampled training episodes. */
  trainCost: number;
  /** Mean total cost of the greedy policy on the validation days, when validated this iteration. */
  validationCost?: number;
  seconds: number;
}

export interface TrainResult {
  /** The best weights on validation (the deliverable). */
  weights: Weights;
  /** The weights after the last iteration. */
  final: Weights;
  bestIteration: number;
  bestValidationCost: number;
  history: IterationReport[];
  seconds: number;
}

type Plan = { day: Day; trucks: TruckState[]; unplanned: number };

function planOf(config: DispatchConfig, seed: number): Plan {
  return new DispatchEnv(config, seed).snapshotPlan();
}

/** Mean total cost of the greedy policy over pre-planned days. */
export function greedyCost(config: DispatchConfig, w: Weights, plans: readonly Plan[]): number {
  const policy = greedyPolicy(w);
  let s = 0;
  for (const p of plans) s += runEpisode(new DispatchEnv(config, p.day.seed, p), policy).totalCost;
  return s / plans.length;
}

export async function trainDispatch(tf: typeof TF, o: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const c = o.config;
  const m = c.trucks + 1;
  const init = o.initial ?? initWeights(o.hidden, new RandomStream('dispatch.init', o.seed));
  const net = new PolicyNet(tf, init, o.learningRate);
  const read = (): Weights => net.read();
  const validation = o.validationSeeds.map((s) => planOf(c, s));
  let best = read();
  let bestIteration = 0;
  let bestValidationCost = greedyCost(c, best, validation);
  const history: IterationReport[] = [{ iteration: 0, trainCost: NaN, validationCost: bestValidationCost, seconds: (performance.now() - started) / 1000 }];
  o.onIteration?.(history[0]);
  const rng = new RandomStream('dispatch.train', o.seed);

  for (let it = 1; it <= o.iterations; it++) {
    const w = read();
    const xs: number[] = [];
    const masks: number[] = [];
    const actions: number[] = [];
    const advantages: number[] = [];
    let costSum = 0;
    let episodes = 0;
    for (let d = 0; d < o.days; d++) {
      const plan = planOf(c, o.firstSeed + (it - 1) * o.days + d);
      const steps = plan.day.urgent.length;
      if (steps === 0) continue;
      const returns: number[][] = [];
      const records: { x: Float32Array; feasible: boolean[]; action: number }[][] = [];
      for (let k = 0; k < o.rollouts; k++) {
        const rec: { x: Float32Array; feasible: boolean[]; action: number }[] = [];
        const env = new DispatchEnv(c, plan.day.seed, plan);
        const costs: number[] = [];
        const policy = samplingPolicy(w, rng, (x, feasible, action) => rec.push({ x, feasible, action }));
        while (!env.done) {
          const options = env.options();
          costs.push(env.apply(options[policy(env, options)]).cost);
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
          let others = 0;
          for (let q = 0; q < o.rollouts; q++) if (q !== k) others += returns[q][j];
          const r = records[k][j];
          // A forced decision (only the courier) carries no gradient.
          if (r.feasible.filter(Boolean).length < 2) continue;
          advantages.push((returns[k][j] - others / (o.rollouts - 1)) / c.courierCost);
          for (let i = 0; i < m; i++) {
            for (let f = 0; f < FEATURES; f++) xs.push(r.x[i * FEATURES + f]);
            masks.push(r.feasible[i] ? 0 : -1e9);
            actions.push(i === r.action ? 1 : 0);
          }
        }
      }
    }
    net.step({ m, x: xs, mask: masks, action: actions, advantage: advantages }, o.entropy);
    const report: IterationReport = { iteration: it, trainCost: costSum / Math.max(1, episodes), seconds: (performance.now() - started) / 1000 };
    if (it % o.validateEvery === 0 || it === o.iterations) {
      const now = read();
      report.validationCost = greedyCost(c, now, validation);
      if (report.validationCost < bestValidationCost - 1e-9) {
        best = now;
        bestIteration = it;
        bestValidationCost = report.validationCost;
      }
    }
    history.push(report);
    o.onIteration?.(report);
  }
  const final = read();
  net.dispose();
  return { weights: best, final, bestIteration, bestValidationCost, history, seconds: (performance.now() - started) / 1000 };
}

/**
 * Writes trained weights with what produced them (`meta`: the algorithm, the
 * world, the options, the validation result) to `--out FILE` or `defaultFile`
 * — a `--quick` run only when `--out` is given — and prints the summary line.
 * Both training scripts (day model, fleet model) end this way.
 */
export function saveTrainedWeights(
  result: TrainResult,
  header: { algorithm: string; world?: string },
  recorded: Record<string, unknown> & { validationSeeds: readonly number[] },
  defaultFile: string,
  quick: boolean,
): void {
  const seeds = recorded.validationSeeds;
  const out = {
    ...result.weights,
    meta: {
      ...header,
      ...recorded,
      validationSeeds: `${seeds[0]}..${seeds[seeds.length - 1]}`,
      bestIteration: result.bestIteration,
      validationCostAtStart: result.history[0].validationCost,
      bestValidationCost: result.bestValidationCost,
      trainingSeconds: Math.round(result.seconds),
    },
  };
  const o = process.argv.indexOf('--out');
  const file = o >= 0 ? process.argv[o + 1] : defaultFile;
  const write = !quick || o >= 0;
  if (write) writeFileSync(file, JSON.stringify(out) + '\n');
  process.stdout.write(
    `best iteration ${result.bestIteration}: validation ${result.bestValidationCost.toFixed(2)} (start ${result.history[0].validationCost?.toFixed(2)}), ${result.seconds.toFixed(0)} s${write ? `, weights in ${file}` : ''}\n`,
  );
}
