/**
 * Trains the learned dispatcher and writes its weights to
 * agents/supply/dispatch/policy-weights.json (committed, so evaluation and
 * use never need training).
 *
 *   node dist/bench/dispatch/train.js [--iterations 220] [--quick] [--out file.json]
 *
 * Seeds: training days 1…, validation days 500 000…, never the benchmark's
 * test days (1 000 000…, see run.ts).
 */
import { join } from 'node:path';
import { projectRoot } from '../../runtime/paths.js';
import { loadTf } from '../../agents/maintenance/predictive/tf-backend.js';
import { DEFAULT_CONFIG } from '../../agents/supply/dispatch/day.js';
import { WEIGHTS_FILE } from '../../agents/supply/dispatch/policy.js';
import { saveTrainedWeights, trainDispatch } from '../../agents/supply/dispatch/train.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const quick = process.argv.includes('--quick');
const tf = await loadTf();
const options = {
  config: DEFAULT_CONFIG,
  iterations: arg('iterations', quick ? 10 : 220),
  days: arg('days', 16),
  rollouts: arg('rollouts', 8),
  learningRate: arg('lr', 3e-3),
  entropy: arg('entropy', 0.01),
  hidden: arg('hidden', 32),
  seed: arg('seed', 1),
  firstSeed: 1,
  validationSeeds: Array.from({ length: arg('validation', 100) }, (_, i) => 500_000 + i),
  validateEvery: arg('validate-every', 20),
};
const result = await trainDispatch(tf, {
  ...options,
  onIteration: (r) => {
    if (r.validationCost !== undefined || r.iteration % 10 === 0)
      process.stdout.write(`iter ${r.iteration}  train ${r.trainCost.toFixed(1)}  ${r.validationCost !== undefined ? `validation ${r.validationCost.toFixed(2)}  ` : ''}${r.seconds.toFixed(0)} s\n`);
  },
});
const { onIteration: _, config: __, ...recorded } = { ...options, onIteration: undefined };
saveTrainedWeights(result, { algorithm: 'REINFORCE, leave-one-out baseline over replays of the same day' }, recorded, join(projectRoot(), WEIGHTS_FILE), quick);
