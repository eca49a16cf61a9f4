import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../scenarios/load.js';
import { runPlant } from './plant.js';
import { SENSOR_CHANNELS } from '../world/degradation/sensor-model.js';
import type { LogRecord } from '../sim/log/event-log.js';

/** Two turbines whose bearing, balance and cooling wear (world/degradation), serviced on vibration RMS or run to failure. */
const yaml = (policy: string) => `
name: degrading-turbines
seed: 3
horizon: 90d
layout:
  places:
    - { id: hall, kind: station, x: 0, y: 0 }
    - { id: workshop, kind: base, x: 10, y: 0 }
machineTypes:
  turbine:
    processTime: { dist: exponential, mean: 15m }
    repairTime: { dist: lognormal, mean: 36h, sd: 8h }
    serviceTime: { dist: lognormal, mean: 8h, sd: 2h }
    unitValue: 120
    degradation:
      ratedPowerKw: 250
      components:
        - { id: bearing, onset: { dist: weibull, shape: 2.5, scale: 20d }, progression: { rate: 0.02/d, exponent: 1.8, initial: 0.2, loadExponent: 3 } }
        - { id: rotor-balance, mode: imbalance, onset: { dist: weibull, shape: 2, scale: 40d }, progression: { rate: 0.03/d, exponent: 1.2, initial: 0.3 } }
        - { id: cooling, onset: { dist: weibull, shape: 1.5, scale: 30d }, progression: { rate: 0.04/d, initial: 0.3 }, failAt: 0.8 }
machines:
  - { id: turbine, type: turbine, count: 2, station: hall }
technicians: { count: 1, base: workshop }
maintenance:
  policy: ${policy}
  threshold: { signal: vibRms, value: 4.5 }
  telemetryInterval: 1h
ledger: { enabled: false }
`;

describe('machines with component degradation', () => {
  it('publish every sensor channel, fail by component when run to failure, and replay identically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hf-degr-'));
    const scenario = parseScenario(yaml('run-to-failure'), 'degrading.yaml');
    const a = runPlant(scenario, { logPath: join(dir, 'a.ndjson'), validateMessages: true });
    const b = runPlant(scenario, {});
    expect(b.logHash).toBe(a.logHash);
    const records: LogRecord[] = readFileSync(join(dir, 'a.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const samples = records.filter((r) => r.type === 'telemetry.sample');
    expect(samples.length).toBeGreaterThan(1000);
    expect(Object.keys((samples[0].payload as { signals: object }).signals)).toEqual([...SENSOR_CHANNELS]);
    const failures = records.filter((r) => r.type === 'machine.failed' || r.type === 'repair.requested');
    expect(failures.length).toBeGreaterThan(0);
    expect(a.kpis.unplannedDowntimeHours).toBeGreaterThan(0);
  });

  it('condition-based on vibration RMS services before failures that vibration shows', () => {
    const rtf = runPlant(parseScenario(yaml('run-to-failure'), 'd.yaml'));
    const cbm = runPlant(parseScenario(yaml('condition-based'), 'd.yaml'));
    expect(cbm.kpis.plannedDowntimeHours).toBeGreaterThan(0);
    expect(cbm.kpis.unplannedDowntimeHours).toBeLessThan(rtf.kpis.unplannedDowntimeHours);
  });

  it('a machine type gives either timeToFailure or degradation', () => {
    const both = yaml('run-to-failure').replace('    unitValue: 120', '    unitValue: 120\n    timeToFailure: { dist: weibull, shape: 2, scale: 10d }');
    expect(() => parseScenario(both, 'both.yaml')).toThrow(ScenarioError);
    expect(() => parseScenario(both, 'both.yaml')).toThrow(/machineTypes\.turbine\.timeToFailure.*exactly one/);
    const bad = yaml('run-to-failure').replace('rate: 0.02/d', 'rate: -0.02/d');
    expect(() => parseScenario(bad, 'bad.yaml')).toThrow(/bad.yaml:18:\d+: machineTypes.turbine.degradation.components\[0\].progression.rate: rate must be positive, got -0.02\/d/);
  });
});
