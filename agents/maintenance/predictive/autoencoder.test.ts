import { describe, expect, it } from 'vitest';
import { fleetHistories } from '../../../world/degradation/fleet-histories.js';
import { SENSOR_CHANNELS } from '../../../world/degradation/sensor-model.js';
import { turbineSpec } from '../../../world/degradation/test-fixtures.js';
import { autoencoderScores, calibrateThreshold, trainAutoencoder, type AutoencoderConfig } from './autoencoder.js';
import { AnomalyModel, encodeAnomalyModel } from './anomaly-model.js';
import { loadTf } from './tf-backend.js';
import { fitScaling, windowAt, type Scaling } from './windows.js';
import type { Trajectory } from './cmapss.js';

const WINDOW = 12;
const config: AutoencoderConfig = { window: WINDOW, channels: SENSOR_CHANNELS.length, hidden: [24, 6] };

/** Simulated turbines run to failure (world/degradation), sampled hourly, as trajectories of every sensor channel. */
function fleet(machines: number, seed: number) {
  return fleetHistories(turbineSpec(), { machines, seed, load: { min: 0.6, max: 1, segment: 8 * 3600 } }).map((h, i) => ({
    trajectory: { unit: i + 1, rows: h.samples.map((s) => SENSOR_CHANNELS.map((c) => s[c])) } as Trajectory,
    faulty: h.faulty,
    rul: h.rul,
  }));
}

/** Every window of every machine, labelled healthy when no fault had started by its last sample. */
function windows(f: ReturnType<typeof fleet>, s: Scaling) {
  const xs: Float32Array[] = [];
  const healthy: boolean[] = [];
  const hoursLeft: number[] = [];
  for (const m of f) {
    for (let end = WINDOW; end <= m.trajectory.rows.length; end++) {
      const x = new Float32Array(WINDOW * config.channels);
      windowAt(m.trajectory.rows, end, WINDOW, s, x);
      xs.push(x);
      healthy.push(m.faulty[end - 1] === 0);
      hoursLeft.push(m.rul[end - 1] / 3600);
    }
  }
  const x = new Float32Array(xs.length * WINDOW * config.channels);
  xs.forEach((w, i) => x.set(w, i * w.length));
  return { x, n: xs.length, healthy, hoursLeft };
}

describe('anomaly autoencoder on simulated turbines', () => {
  it('learns healthy behaviour, flags the last day before failure, and ONNX Runtime gives the same scores', async () => {
    const tf = await loadTf();
    const train = fleet(12, 1);
    const test = fleet(6, 2);
    // Scaling and training from healthy windows only.
    const healthyRows: Trajectory[] = train.map((m) => ({ unit: m.trajectory.unit, rows: m.trajectory.rows.filter((_, k) => m.faulty[k] === 0) }));
    const scaling = fitScaling(healthyRows.filter((t) => t.rows.length > 0));
    const tw = windows(train, scaling);
    const idx = tw.healthy.flatMap((h, i) => (h ? [i] : []));
    const d = WINDOW * config.channels;
    const hx = new Float32Array(idx.length * d);
    idx.forEach((i, k) => hx.set(tw.x.subarray(i * d, (i + 1) * d), k * d));
    const params = await trainAutoencoder(tf, config, hx, idx.length, { epochs: 4, seed: 1 });

    const ev = windows(test, scaling);
    const scores = autoencoderScores(tf, config, params, ev.x, ev.n);
    const healthyScores = scores.filter((_, i) => ev.healthy[i]);
    const threshold = calibrateThreshold(autoencoderScores(tf, config, params, hx, idx.length), 0.995);
    const falseAlarms = healthyScores.filter((s) => s > threshold).length / healthyScores.length;
    const lastDay = scores.filter((_, i) => ev.hoursLeft[i] <= 24);
    const caught = lastDay.filter((s) => s > threshold).length / lastDay.length;
    expect(falseAlarms).toBeLessThan(0.05);
    expect(caught).toBeGreaterThan(0.8);

    const model = await AnomalyModel.fromBytes(
      encodeAnomalyModel({ format: 1, kind: 'ae-anomaly', config, channels: [...SENSOR_CHANNELS], scaling, threshold, training: {} }, params, 'test'),
    );
    const onnx = await model.scores(ev.x, ev.n);
    await model.close();
    // Scores of faulty windows run into the hundreds (their readings are far outside the healthy
    // range): compare relative to the score's size, float32 rounding being relative.
    let diff = 0;
    for (let i = 0; i < ev.n; i++) diff = Math.max(diff, Math.abs(onnx[i] - scores[i]) / Math.max(1, Math.abs(scores[i])));
    expect(diff).toBeLessThan(1e-4);
    expect(Math.max(...healthyScores.map((s, i) => Math.abs(s - onnx.filter((_, k) => ev.healthy[k])[i])))).toBeLessThan(1e-4);
  });

  it('calibrates the threshold as a quantile of healthy scores', () => {
    const s = Array.from({ length: 1000 }, (_, i) => i / 1000);
    expect(calibrateThreshold(s, 0.99)).toBe(0.99);
    expect(() => calibrateThreshold([])).toThrow(/no healthy scores/);
  });
});
