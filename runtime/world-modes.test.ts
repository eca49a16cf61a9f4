import { describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../scenarios/schema.js';
import { runPlant } from './plant.js';

/**
 * A small warehouse: two rack rows with an aisle between them, three rack
 * faces, two stations, a charger, parking along the south wall, six cobots
 * carrying totes for two hours.
 */
const scenario = ScenarioSchema.parse({
  name: 'small-floor',
  seed: 5,
  horizon: '2h',
  layout: {
    places: [
      { id: 'station-a', kind: 'station', x: 1, y: 3 },
      { id: 'station-b', kind: 'station', x: 1, y: 9 },
      { id: 'rack-1', kind: 'storage', x: 8, y: 5 },
      { id: 'rack-2', kind: 'storage', x: 14, y: 8 },
      { id: 'rack-3', kind: 'storage', x: 18, y: 5 },
      { id: 'charger', kind: 'charger', x: 22, y: 1 },
    ],
  },
  floor: {
    width: 24,
    height: 14,
    obstacles: [
      { x: 5, y: 3, width: 15, height: 2 },
      { x: 5, y: 9, width: 15, height: 2 },
    ],
    parking: [{ x: 4, y: 13, width: 16, height: 1 }],
  },
  machineTypes: { belt: { processTime: { dist: 'constant', value: 60 }, timeToFailure: { dist: 'constant', value: '1000d' }, repairTime: { dist: 'constant', value: 60 } } },
  machines: [{ id: 'belt', type: 'belt', station: 'station-a' }],
  technicians: { count: 1 },
  cobots: { count: 6, homes: ['station-a', 'station-b'], speed: 1, batteryWh: 300, drainWhPerMetre: 0.05, idleDrainW: 10, chargeW: 600, radius: 0.3, maxAcceleration: 1 },
  tasks: [
    { id: 'a', from: 'rack-1', to: 'station-a', interarrival: { dist: 'exponential', mean: 90 }, handlingTime: { dist: 'uniform', min: 10, max: 20 } },
    { id: 'b', from: 'rack-2', to: 'station-b', interarrival: { dist: 'exponential', mean: 90 }, handlingTime: { dist: 'uniform', min: 10, max: 20 } },
    { id: 'c', from: 'rack-3', to: 'station-a', interarrival: { dist: 'exponential', mean: 120 }, handlingTime: { dist: 'uniform', min: 10, max: 20 } },
    { id: 'd', from: 'station-b', to: 'rack-3', interarrival: { dist: 'exponential', mean: 120 }, handlingTime: { dist: 'uniform', min: 10, max: 20 } },
  ],
  ledger: { enabled: false },
});

describe('the same scenario in the kinematic (des) and the physics world', () => {
  const des = runPlant(scenario, { mode: 'des' });
  const physics = runPlant(scenario, { mode: 'physics' });

  it('reports its world and zero collisions in both', () => {
    expect([des.mode, physics.mode]).toEqual(['des', 'physics']);
    expect(des.kpis.collisions).toBe(0);
    expect(physics.kpis.collisions).toBe(0);
    expect(des.kpis.tasksCompleted).toBeGreaterThan(150);
  });

  it('agrees on the KPIs: tasks completed within 5 %, mean task latency within 15 %, distance within 10 %', () => {
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(a, b);
    const [d, p] = [des.kpis, physics.kpis];
    expect(rel(d.tasksCompleted, p.tasksCompleted)).toBeLessThan(0.05);
    expect(rel(d.taskLatencyMeanSeconds, p.taskLatencyMeanSeconds)).toBeLessThan(0.15);
    expect(rel(d.cobotDistanceKm, p.cobotDistanceKm)).toBeLessThan(0.1);
  });

  it('is deterministic in each world: same seed, same logHash', () => {
    expect(runPlant(scenario, { mode: 'physics' }).logHash).toBe(physics.logHash);
    expect(runPlant(scenario, { mode: 'des' }).logHash).toBe(des.logHash);
    expect(physics.logHash).not.toBe(des.logHash);
  });
});
