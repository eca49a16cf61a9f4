import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../sim/random/stream.js';
import { loadTf } from '../../maintenance/predictive/tf-backend.js';
import { DEFAULT_CONFIG, type DispatchConfig } from './day.js';
import { initWeights } from './policy.js';
import { trainDispatch } from './train.js';

const SMALL: DispatchConfig = { ...DEFAULT_CONFIG, trucks: 3, planned: 12, urgentRate: 10 / 420 };

describe('dispatcher training', () => {
  it('runs a few iterations, changes the weights, keeps the best on validation, and is deterministic', async () => {
    const tf = await loadTf();
    const options = { config: SMALL, iterations: 3, days: 3, rollouts: 3, learningRate: 1e-2, entropy: 0.01, hidden: 8, seed: 1, firstSeed: 1, validationSeeds: [900, 901], validateEvery: 1 };
    const start = initWeights(8, new RandomStream('dispatch.init', 1));
    const r = await trainDispatch(tf, options);
    expect(r.history.map((h) => h.iteration)).toEqual([0, 1, 2, 3]);
    expect(r.final.w1).toHaveLength(start.w1.length);
    expect(r.final.w1).not.toEqual(start.w1);
    expect(r.final.skip).not.toEqual(start.skip);
    expect(r.bestValidationCost).toBeLessThanOrEqual(r.history[0].validationCost! + 1e-9);
    const again = await trainDispatch(tf, options);
    expect(again.final).toEqual(r.final);
  });
});
