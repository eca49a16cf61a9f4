import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioSchema } from '../scenarios/schema.js';
import { buildRun, closeRun, runPlant } from './plant.js';
import { distanceTable } from './wire-supply.js';
import { Layout } from '../world/layout/layout.js';

/**
 * One machine whose vibration calls for a service at about half its life; no
 * bearing in stock, so the parts are bought from a supplier and trucked in
 * before the technician can do the work.
 */
const scenario = ScenarioSchema.parse({
  name: 'supply-flow',
  seed: 7,
  horizon: '40d',
  layout: {
    places: [
      { id: 'cell-1', kind: 'station', x: 0, y: 0 },
      { id: 'crew', kind: 'base', x: 10, y: 0 },
      { id: 'stores', kind: 'storage', x: 50, y: 0 },
      { id: 'yard', kind: 'depot', x: 100, y: 0 },
      { id: 'acme-dock', kind: 'dock', x: 20000, y: 0 },
      { id: 'bolt-dock', kind: 'dock', x: 0, y: 30000 },
    ],
  },
  machineTypes: {
    cnc: {
      processTime: { dist: 'constant', value: 600 },
      timeToFailure: { dist: 'constant', value: '10d' },
      repairTime: { dist: 'constant', value: '2h' },
      serviceTime: { dist: 'constant', value: '1h' },
      signal: { name: 'vibration', baseline: 1, rise: 10, exponent: 2 },
      spareParts: [{ item: 'bearing', qty: 1 }],
    },
  },
  machines: [{ id: 'cnc-1', type: 'cnc', station: 'cell-1' }],
  technicians: { count: 1, base: 'crew', hourlyRate: 50 },
  maintenance: { policy: 'condition-based', threshold: { signal: 'vibration', value: 3.5 }, telemetryInterval: '1h' },
  inventory: {
    warehouse: 'stores',
    items: [{ id: 'bearing', unitCost: 200, initialStock: 0, reorderPoint: 0, orderQuantity: 2 }],
  },
  suppliers: [
    { id: 'acme', location: 'acme-dock', capacity: 2, items: [{ item: 'bearing', price: 150, leadTime: { dist: 'constant', value: '4h' } }] },
    { id: 'bolt', location: 'bolt-dock', reliability: 0.8, items: [{ item: 'bearing', price: 180, leadTime: { dist: 'lognormal', mean: 7200, sd: 1800 } }] },
  ],
  trucks: [
    { id: 'truck-1', depot: 'yard', speed: 15, costPerKm: 1, costPerHour: 30 },
    { id: 'truck-2', depot: 'yard', speed: 12, costPerKm: 0.8, costPerHour: 25 },
  ],
  ledger: { enabled: false },
});

type Line = { t: number; type: string; from?: string; to?: string; payload?: Record<string, unknown> };

const dir = mkdtempSync(join(tmpdir(), 'hf-supply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('supply subsystem in a plant run', () => {
  const logPath = join(dir, 'run.ndjson');
  const result = runPlant(scenario, { validateMessages: true, logPath });
  const lines = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

  it('buys and trucks in the parts of a condition-based service before the work is done', () => {
    const at = (type: string, from: number, match: (l: Line) => boolean = () => true) => lines.findIndex((l, i) => i > from && l.type === type && match(l));
    const requested = at('maintenance.requested', -1, (l) => l.payload?.machine === 'cnc-1');
    const cfp = at('parts.cfp', requested);
    const awarded = at('parts.awarded', cfp);
    const delivered = at('parts.received', awarded);
    const completed = at('maintenance.completed', delivered, (l) => l.payload?.machine === 'cnc-1');
    expect(requested).toBeGreaterThanOrEqual(0);
    expect([cfp, awarded, delivered, completed].every((i) => i > 0)).toBe(true);
    // The parts reached the requester before the technician was sent.
    const available = at('parts.available', awarded, (l) => l.to === 'maintenance');
    const assigned = at('repair.assigned', requested);
    expect(available).toBeGreaterThan(delivered);
    expect(assigned).toBeGreaterThan(available);
  });

  it('reports the costs of supply', () => {
    expect(result.kpis.logisticsCost).toBeGreaterThan(0);
    expect(result.kpis.inventoryCost).toBeGreaterThan(0);
    expect(result.kpis.stockouts).toBeGreaterThanOrEqual(1);
    expect(result.kpis.maintenanceCost).toBeGreaterThan(0);
    expect(lines.some((l) => l.type === 'agent.error')).toBe(false);
  });

  it('gives the same log for the same seed', () => {
    const again = runPlant(scenario, { validateMessages: true, logPath: join(dir, 'again.ndjson') });
    expect(again.logHash).toBe(result.logHash);
    expect(again.kpis).toEqual(result.kpis);
  });
});

describe('forecast-driven purchasing (inventory.planning)', () => {
  it('replaces the fixed reorder point once the demand history is long enough, the same way every run', () => {
    const planned = ScenarioSchema.parse({
      ...JSON.parse(JSON.stringify(scenario)),
      horizon: '120d',
      inventory: { ...scenario.inventory, planning: { review: 7, minHistory: 14, fillRate: 0.95 } },
    });
    const run = buildRun(planned);
    run.kernel.runUntil(planned.horizon);
    const policies = (run.host.get('supply')!.actor.getSnapshot().context as { policies: Record<string, { reorderPoint: number; orderUpTo?: number }> }).policies;
    // The scenario said reorder at 0 in twos; the forecast of ~1 bearing per 10 days gives an (s, S) of its own.
    expect(policies.bearing.orderUpTo).toBeDefined();
    expect(policies.bearing).not.toEqual({ reorderPoint: 0, orderQuantity: 2 });
    closeRun(run);
    expect(runPlant(planned).logHash).toBe(runPlant(planned).logHash);
  });
});

describe('distance table', () => {
  it('holds the layout distance of every pair, both ways', () => {
    const layout = new Layout([
      { id: 'a', kind: 'depot', x: 0, y: 0 },
      { id: 'b', kind: 'dock', x: 3, y: 4 },
    ]);
    expect(distanceTable(layout, ['b', 'a', 'a'])).toEqual({ a: { b: 7 }, b: { a: 7 } });
  });
});
