import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../scenarios/load.js';
import { runPlant } from './plant.js';
import { projectRoot } from './paths.js';
import type { LogRecord } from '../sim/log/event-log.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios/turbine-failure.yaml'));

function machineOf(r: LogRecord): string | undefined {
  const p = (r.payload ?? {}) as Record<string, any>;
  return p.machine ?? p.spec?.machine ?? p.result?.machine;
}

describe('flagship scenario: turbine-failure', () => {
  const log = join(mkdtempSync(join(tmpdir(), 'hf-flagship-')), 'run.ndjson');
  // Under the scenario's policy (predictive) and seed the turbine's first service is booked on day 30.
  const result = runPlant(scenario, { until: 33 * 86400, logPath: log, validateMessages: true });
  const records: LogRecord[] = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('tells the turbine story in order, each step recorded by the ledger', () => {
    // The cell's lock re-auctions tasks only when a cobot is working there at that moment: with this seed not at the
    // turbine's first service, so that step is checked on its own below.
    const story = ['maintenance.requested', 'parts.cfp', 'parts.awarded', 'parts.received', 'maintenance.completed'];
    const turbine = records.map((r, i) => ({ r, i })).filter(({ r }) => story.includes(r.type) && machineOf(r) === 'turbine-1');
    // The first occurrence of each step, in the story's order.
    const firsts = story.map((type) => turbine.find(({ r }) => r.type === type));
    expect(firsts.every(Boolean), `missing: ${story.filter((_, k) => !firsts[k])}`).toBe(true);
    const positions = firsts.map((f) => f!.i);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // The service was requested on a prediction, before the turbine failed: no repair request for it.
    expect((turbine[0].r.payload as { reason: string }).reason).toBe('prediction');
    expect(records.some((r) => r.type === 'repair.requested' && machineOf(r) === 'turbine-1')).toBe(false);
    for (const { r, i } of firsts.map((f) => f!)) {
      const recorded = records.findIndex((x, j) => j > i && x.type === 'ledger.recorded' && (x.payload as { event: string }).event === r.id);
      expect(recorded, `ledger.recorded after ${r.type}`).toBeGreaterThan(i);
    }
  });

  it('re-auctions the tasks of a locked cell to other cobots, recorded by the ledger', () => {
    const reassigned = records.filter((r) => r.type === 'task.reassigned');
    expect(reassigned.length).toBeGreaterThan(0);
    for (const r of reassigned) {
      const p = r.payload as { reason: string; fromCobot: string; toCobot: string; workOrder: string };
      expect(p.reason).toBe('station locked');
      expect(p.toCobot).not.toBe(p.fromCobot);
      expect(records.some((x) => x.type === 'station.locked' && (x.payload as { workOrder: string }).workOrder === p.workOrder && x.t <= r.t)).toBe(true);
      expect(records.some((x) => x.type === 'ledger.recorded' && (x.payload as { event: string }).event === r.id)).toBe(true);
    }
  });

  it('reports every KPI of the plant', () => {
    const k = result.kpis;
    expect(k.plannedDowntimeHours).toBeGreaterThan(0);
    expect(k.throughputUnits).toBeGreaterThan(0);
    expect(k.oee).toBeGreaterThan(0.5);
    expect(k.oee).toBeLessThanOrEqual(1);
    expect(k.logisticsCost).toBeGreaterThan(0);
    expect(k.inventoryCost).toBeGreaterThan(0);
    expect(k.maintenanceCost).toBeGreaterThan(0);
    expect(k.stockouts).toBeGreaterThanOrEqual(1); // the bearing kit was not in stock
    expect(records.filter((r) => r.type === 'agent.error')).toEqual([]);
  });

  it('is deterministic: same seed, same logHash; another seed, another', () => {
    const a = runPlant(scenario, { until: 3 * 86400 });
    const b = runPlant(scenario, { until: 3 * 86400 });
    const c = runPlant(scenario, { until: 3 * 86400, seed: 8 });
    expect(b.logHash).toBe(a.logHash);
    expect(c.logHash).not.toBe(a.logHash);
  });

  it('runs under every maintenance policy', () => {
    for (const policy of ['run-to-failure', 'time-based', 'condition-based', 'predictive']) {
      expect(runPlant(scenario, { until: 2 * 86400, policy }).policy).toBe(policy);
    }
  });
});
