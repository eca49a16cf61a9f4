/**
 * Trains the learned urgent dispatcher on the product's fleet model and
 * writes its weights to agents/supply/dispatch/fleet-policy-weights.json
 * (committed, so evaluation and use never need training).
 *
 *   npm run build && node dist/agents/supply/dispatch/train-fleet.js [--iterations 400] [--days 16] [--quick] [--out file.json]
 *
 * About 9 minutes on one core of the benchmark machine (AMD EPYC, Node 20).
 *
 * Seeds: training days 1…, validation days 500 000…, never the benchmark's
 * test days (1 000 000…, bench/dispatch/fleet-run.ts).
 */
import { join } from 'node:path';
import { projectRoot } from '../../../runtime/paths.js';
import { loadTf } from '../../maintenance/predictive/tf-backend.js';
import { FLEET_DAY } from './fleet-env.js';
import { FLEET_WEIGHTS_FILE } from './fleet-policy.js';
import { trainFleet } from './fleet-train.js';
import { saveTrainedWeights } from './train.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const tf = await loadTf();
const options = {
  config: FLEET_DAY,
  iterations: arg('iterations', quick ? 4 : 400),
  days: arg('days', quick ? 4 : 16),
  rollouts: arg('rollouts', quick ? 4 : 8),
  learningRate: arg('lr', 3e-3),
  entropy: arg('entropy', 0.01),
  hidden: arg('hidden', 32),
  seed: arg('seed', 1),
  firstSeed: 1,
  validationSeeds: Array.from({ length: arg('validation', quick ? 10 : 100) }, (_, i) => 500_000 + i),
  validateEvery: arg('validate-every', quick ? 2 : 20),
};
const result = await trainFleet(tf, {
  ...options,
  onIteration: (r) => {
    if (r.validationCost !== undefined || r.iteration % 10 === 0)
      process.stdout.write(`iter ${r.iteration}  train ${r.trainCost.toFixed(1)}  ${r.validationCost !== undefined ? `validation ${r.validationCost.toFixed(2)}  ` : ''}${r.seconds.toFixed(0)} s\n`);
  },
});
const { config: _, ...recorded } = options;
saveTrainedWeights(
  result,
  { algorithm: 'REINFORCE, leave-one-out baseline over replays of the same day (fleet model)', world: 'FLEET_DAY (agents/supply/dispatch/fleet-env.ts)' },
  recorded,
  join(projectRoot(), FLEET_WEIGHTS_FILE),
  quick,
);
