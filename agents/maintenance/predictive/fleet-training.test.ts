import { describe, expect, it } from 'vitest';
import { turbineSpec } from '../../../world/degradation/test-fixtures.js';
import { trainFleetModels } from './fleet-training.js';
import { RulModel } from './rul-model.js';
import { AnomalyModel } from './anomaly-model.js';

describe('maintenance models trained on a simulated fleet', () => {
  it('gives a RUL model and an anomaly model with validation figures on held-out machines', async () => {
    const { rul, anomaly, figures } = await trainFleetModels({ spec: turbineSpec(), machines: 20, seed: 1, epochs: 2, channels: 8 }, 'test');
    expect(figures.rmseHours).toBeGreaterThan(0);
    expect(figures.brier).toBeGreaterThanOrEqual(0);
    expect(figures.brier).toBeLessThanOrEqual(1);
    expect(figures.reliability.reduce((a, b) => a + b.n, 0)).toBeGreaterThan(0);
    expect(figures.anomaly.recall).toBeGreaterThan(0);
    expect(figures.anomaly.falseAlarmRate).toBeLessThan(0.1);
    const r = await RulModel.fromBytes(rul, 'rul.onnx');
    const a = await AnomalyModel.fromBytes(anomaly, 'ae.onnx');
    expect(r.info.config).toMatchObject({ inputs: 9, window: 24, rulCap: 336, horizon: 48, components: 3 });
    expect(r.info.components).toEqual(['bearing', 'rotor-balance', 'cooling']);
    expect(figures.componentAccuracy).toBeGreaterThanOrEqual(0);
    expect(figures.componentAccuracy).toBeLessThanOrEqual(1);
    expect(a.info.threshold).toBe(figures.anomaly.threshold);
    await r.close();
    await a.close();
  });
});
