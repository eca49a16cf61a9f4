import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../scenarios/load.js';
import { projectRoot } from '../paths.js';
import { PlantFold } from './plant-fold.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));
const msg = (t: number, type: string, payload: object, id = `x:${t}`) => ({ t, type, id, from: 'predictor', to: 'maintenance', conversation: id, payload });

describe('plant fold', () => {
  it('shows a model’s predictions on the machine and keeps the coordinator’s alerts open until they clear', () => {
    const fold = new PlantFold(scenario);
    fold.apply({ t: 0, type: 'run.started', scenario: 'turbine-failure' });
    fold.apply(msg(3600, 'maintenance.prediction', { machine: 'press-1', rulHours: 300, failureProbability: 0.02, horizonHours: 48, anomaly: 0.01, anomalyThreshold: 0.05 }));
    expect(fold.machines.get('press-1')!.view).toMatchObject({ rulHours: 300, failure: { probability: 0.02, horizonHours: 48 }, anomaly: 0.01 });
    fold.apply(msg(7200, 'maintenance.prediction', { machine: 'press-1', rulHours: 30, failureProbability: 0.8, horizonHours: 48, components: { 'ram-guide': 0.7, hydraulics: 0.1 } }));
    expect(fold.machines.get('press-1')!.view.failure).toEqual({ probability: 0.8, horizonHours: 48, components: { 'ram-guide': 0.7, hydraulics: 0.1 } });
    // A prediction alone raises nothing: alerts are the coordinator's.
    expect(fold.attention()).toEqual([]);
    const alert = (t: number, kind: string, state: string, text: string) => fold.apply(msg(t, 'maintenance.alert', { machine: 'press-1', kind, state, text }));
    alert(7200, 'anomaly', 'raised', 'press-1: anomalous sensor readings');
    alert(7200, 'failure-risk', 'raised', 'press-1: 80 % likely to fail within 48 h (ram-guide 70 %)');
    expect(fold.attention().map((a) => a.text).sort()).toEqual(['press-1: 80 % likely to fail within 48 h (ram-guide 70 %)', 'press-1: anomalous sensor readings']);
    alert(10800, 'anomaly', 'cleared', 'press-1: sensor readings normal again');
    expect(fold.attention()).toHaveLength(1);
    alert(14400, 'failure-risk', 'cleared', 'press-1: renewed by maintenance');
    expect(fold.attention()).toEqual([]);
    expect(fold.detail('press-1')!.anomalies.map(([t]) => t)).toEqual([3600]);
  });

  it('counts stock down when parts are handed out and up when a delivery arrives', () => {
    const fold = new PlantFold(scenario);
    fold.apply(msg(10, 'parts.available', { item: 'seal-kit', qty: 1, workOrder: 'wo-1', machine: 'press-1' }));
    expect(fold.stock.get('seal-kit')).toMatchObject({ onHand: 1, onOrder: 0 });
    fold.apply(msg(20, 'parts.awarded', { winner: 'supplier-north', cost: 510, finishTime: 100, spec: { order: 'po-1', item: 'seal-kit', qty: 3 } }));
    expect(fold.stock.get('seal-kit')).toMatchObject({ onHand: 1, onOrder: 3 });
    fold.apply(msg(90, 'parts.received', { order: 'po-1', item: 'seal-kit', qty: 3, truck: 'truck-1' }));
    expect(fold.stock.get('seal-kit')).toMatchObject({ onHand: 4, onOrder: 0 });
  });

  it('follows a truck from its reports: heading, the stops ahead (home last), standing, broken down', () => {
    const fold = new PlantFold(scenario);
    const truck = scenario.trucks[0].id;
    const supplier = scenario.suppliers[0].location;
    const home = scenario.inventory!.warehouse;
    fold.apply(msg(5, 'delivery.cfp', { bidWindowSeconds: 2, round: 1, spec: { job: 'in:po-1', stop: { job: 'in:po-1', kind: 'pickup', place: supplier, qty: 1, ready: 0, due: 9, service: 60 } } }));
    fold.apply({ ...msg(10, 'truck.progress', { at: supplier, current: 'in:po-1', revision: 0, freeAt: 500, trips: [[]], loaded: [], available: true }), from: truck });
    expect(fold.trucks.get(truck)).toMatchObject({ state: 'busy.toPickup', to: supplier, since: 10, route: [home] });
    fold.apply({ t: 400, type: 'state', agent: truck, state: 'serving' });
    expect(fold.trucks.get(truck)).toMatchObject({ state: 'busy.serving', at: supplier, to: undefined });
    fold.apply({ ...msg(460, 'truck.progress', { at: home, revision: 0, freeAt: 900, trips: [], loaded: [], available: true }), from: truck });
    expect(fold.trucks.get(truck)).toMatchObject({ state: 'busy.returning', at: supplier, to: home, since: 460 });
    fold.apply({ ...msg(900, 'truck.progress', { at: home, revision: 0, freeAt: 9e9, trips: [], loaded: [], available: false }), from: truck });
    expect(fold.trucks.get(truck)).toMatchObject({ state: 'broken', at: home });
  });
});
