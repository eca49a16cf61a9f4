import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../scenarios/load.js';
import { runPlant } from './plant.js';
import { projectRoot } from './paths.js';
import type { LogRecord } from '../sim/log/event-log.js';

/**
 * The predictive policy with the committed turbine models
 * (models/turbine-failure, trained by `pdm fleet` on the flagship's turbine
 * physics): a floor of turbines only, so a run takes a second.
 */
function turbineFloor(edit: (raw: Record<string, any>) => void = () => {}) {
  const raw = parse(readFileSync(join(projectRoot(), 'scenarios/turbine-failure.yaml'), 'utf8')) as Record<string, any>;
  const turbines: Record<string, any> = {
    name: 'turbine-floor',
    seed: 3,
    horizon: '60d',
    machineTypes: { turbine: raw.machineTypes.turbine },
    machines: [{ id: 'turbine', type: 'turbine', count: 8 }],
    technicians: { count: 2, hourlyRate: 65 },
    maintenance: { ...raw.maintenance, predictive: { ...raw.maintenance.predictive, models: { turbine: raw.maintenance.predictive.models.turbine } } },
    ledger: { enabled: false },
  };
  // The bearing kit is not in stock in the flagship; here parts are on hand, so the policies differ only in timing.
  delete turbines.machineTypes.turbine.spareParts;
  edit(turbines);
  // Named as if it lived beside the flagship, so the model paths resolve the same way.
  return parseScenario(stringify(turbines), join(projectRoot(), 'scenarios/turbine-floor.yaml'));
}

describe('predictive maintenance policy', () => {
  const scenario = turbineFloor();
  const dir = mkdtempSync(join(tmpdir(), 'hf-predictive-'));
  const predictive = runPlant(scenario, { policy: 'predictive', logPath: join(dir, 'p.ndjson'), validateMessages: true });
  const runToFailure = runPlant(scenario, { policy: 'run-to-failure' });
  const records: LogRecord[] = readFileSync(join(dir, 'p.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('services turbines before they fail: far less unplanned downtime than run-to-failure', () => {
    expect(runToFailure.kpis.unplannedDowntimeHours).toBeGreaterThan(300);
    expect(predictive.kpis.unplannedDowntimeHours).toBeLessThan(0.3 * runToFailure.kpis.unplannedDowntimeHours);
    expect(predictive.kpis.plannedDowntimeHours).toBeGreaterThan(0);
    expect(records.filter((r) => r.type === 'agent.error')).toEqual([]);
  });

  it('turns ONNX Runtime predictions into work orders at the cheapest window', () => {
    const predictions = records.filter((r) => r.type === 'maintenance.prediction');
    // Hourly, for every turbine with a full day of telemetry since its last renewal.
    expect(predictions.length).toBeGreaterThan(8 * 40 * 24);
    const p = predictions.at(-1)!.payload as Record<string, number>;
    expect(p.horizonHours).toBe(48);
    expect(p.rulSpreadHours).toBeGreaterThan(0);
    expect(p.anomalyThreshold).toBeGreaterThan(0);
    const requests = records.filter((r) => r.type === 'maintenance.requested').map((r) => r.payload as Record<string, unknown>);
    expect(requests.length).toBeGreaterThan(0);
    for (const q of requests) {
      expect(q.reason).toBe('prediction');
      expect(q.startHours as number).toBeLessThanOrEqual(48);
    }
    // A request follows a prediction of that machine at the same instant.
    const first = records.findIndex((r) => r.type === 'maintenance.requested');
    const machine = (records[first].payload as { machine: string }).machine;
    const before = records.slice(0, first).reverse().find((r) => r.type === 'maintenance.prediction' && (r.payload as { machine: string }).machine === machine);
    expect(before?.t).toBe(records[first].t);
  });

  it('alerts operators: anomalies raised and cleared once per episode, failure risks naming the likeliest component', () => {
    const alerts = records.filter((r) => r.type === 'maintenance.alert');
    expect(alerts.every((r) => r.to === '#operators')).toBe(true);
    const raised = alerts.map((r) => r.payload as { kind: string; state: string; component?: string }).filter((p) => p.state === 'raised');
    expect(raised.some((p) => p.kind === 'anomaly')).toBe(true);
    // Services are usually booked before P(fail) reaches one half, so failure-risk alerts are rare here (unit-tested in the coordinator).
    for (const p of raised.filter((q) => q.kind === 'failure-risk')) expect(['bearing', 'rotor-balance', 'cooling']).toContain(p.component);
    // Never raised twice in a row for the same machine and kind.
    const last = new Map<string, string>();
    for (const r of alerts) {
      const p = r.payload as { machine: string; kind: string; state: string };
      expect(last.get(`${p.machine}/${p.kind}`), `${p.machine} ${p.kind} at ${r.t}`).not.toBe(p.state);
      last.set(`${p.machine}/${p.kind}`, p.state);
    }
  });

  it('is deterministic with inference in the loop', () => {
    const again = runPlant(scenario, { policy: 'predictive', until: 20 * 86400 });
    const once = runPlant(scenario, { policy: 'predictive', until: 20 * 86400 });
    expect(again.logHash).toBe(once.logHash);
  });

  it('refuses models trained for other physics or another telemetry interval, naming the file', () => {
    const changed = turbineFloor((raw) => {
      raw.machineTypes.turbine.degradation.components[0].onset.scale = '25d';
    });
    expect(() => runPlant(changed, { policy: 'predictive', until: 86400 })).toThrow(/turbine-rul\.onnx: trained for other degradation physics .* pdm fleet/);
    const faster = turbineFloor((raw) => {
      raw.maintenance.telemetryInterval = '30m';
    });
    expect(() => runPlant(faster, { policy: 'predictive', until: 86400 })).toThrow(/samples every 3600 s, the plant's telemetry comes every 1800 s/);
  });

  it('refuses stop costs that make a failure cheaper than a planned service', () => {
    const cheap = turbineFloor((raw) => {
      raw.machineTypes.turbine.serviceTime = { dist: 'constant', value: '48h' };
    });
    expect(() => runPlant(cheap, { policy: 'predictive', until: 86400 })).toThrow(/machine type "turbine": a failure \(\d+\) would cost less than a planned service/);
  });

  it('tells a scenario without models, or with a model for a machine that does not degrade, where it is wrong', () => {
    expect(() =>
      turbineFloor((raw) => {
        delete raw.maintenance.predictive;
        raw.maintenance.policy = 'predictive';
      }),
    ).toThrow(/maintenance\.predictive: the predictive policy needs maintenance\.predictive/);
    expect(() =>
      turbineFloor((raw) => {
        raw.maintenance.predictive.models.pump = { rul: 'x.onnx' };
      }),
    ).toThrow(/maintenance\.predictive\.models\.pump: unknown machine type "pump"/);
  });
});
