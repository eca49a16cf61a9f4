import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../paths.js';
import { PlantFold } from './plant-fold.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));
const msg = (t: number, type: string, payload: object, id = `x:${t}`) => ({ t, type, id, from: 'predictor', to: 'maintenance', conversation: id, payload });

describe('plant fold', () => {
  it('shows a model’s predictions on the machine and keeps a likely failure or an anomaly open until it clears', () => {
    const fold = new PlantFold(scenario);
    fold.apply({ t: 0, type: 'run.started', scenario: 'turbine-failure' });
    fold.apply(msg(3600, 'maintenance.prediction', { machine: 'press-1', rulHours: 300, failureProbability: 0.02, horizonHours: 48, anomaly: 0.01, anomalyThreshold: 0.05 }));
    expect(fold.machines.get('press-1')!.view).toMatchObject({ rulHours: 300, failure: { probability: 0.02, horizonHours: 48 }, anomaly: 0.01 });
    expect(fold.attention()).toEqual([]);
    fold.apply(msg(7200, 'maintenance.prediction', { machine: 'press-1', rulHours: 200, failureProbability: 0.1, horizonHours: 48, anomaly: 0.2, anomalyThreshold: 0.05 }));
    expect(fold.attention().map((a) => a.text)).toEqual(['press-1: anomalous sensor readings (score 0.200 over 0.050)']);
    fold.apply(msg(10800, 'maintenance.prediction', { machine: 'press-1', rulHours: 30, failureProbability: 0.8, horizonHours: 48, anomaly: 0.3, anomalyThreshold: 0.05 }));
    // Still one open item for the machine's prediction (the first stays until the prediction clears).
    expect(fold.attention()).toHaveLength(1);
    fold.apply(msg(14400, 'maintenance.prediction', { machine: 'press-1', rulHours: 400, failureProbability: 0.01, horizonHours: 48, anomaly: 0.01, anomalyThreshold: 0.05 }));
    expect(fold.attention()).toEqual([]);
    expect(fold.detail('press-1')!.anomalies.map(([t]) => t)).toEqual([3600, 7200, 10800, 14400]);
  });

  it('counts stock down when parts are handed out and up when a delivery arrives', () => {
    const fold = new PlantFold(scenario);
    fold.apply(msg(10, 'parts.available', { item: 'seal-kit', qty: 1, workOrder: 'wo-1', machine: 'press-1' }));
    expect(fold.stock.get('seal-kit')).toMatchObject({ onHand: 1, onOrder: 0 });
    fold.apply(msg(20, 'parts.awarded', { winner: 'supplier-north', cost: 510, finishTime: 100, spec: { order: 'po-1', item: 'seal-kit', qty: 3 } }));
    expect(fold.stock.get('seal-kit')).toMatchObject({ onHand: 1, onOrder: 3 });
    fold.apply(msg(90, 'delivery.completed', { result: { order: 'po-1', item: 'seal-kit', qty: 3, to: 'dock' } }));
    expect(fold.stock.get('seal-kit')).toMatchObject({ onHand: 4, onOrder: 0 });
  });
});
