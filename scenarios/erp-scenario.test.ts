import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importErp } from '../agents/supply/erp/import.js';
import { ErpDataSchema, type ErpData } from '../agents/supply/erp/model.js';
import { Layout } from '../world/layout/layout.js';
import { buildRoadGraph, shortestRoutes } from '../world/layout/road-graph.js';
import { buildRun, closeRun } from '../runtime/plant.js';
import { ErpScenarioError, openOrders, scenarioFromErp } from './erp-scenario.js';
import { loadScenario, parseScenario, ScenarioError } from './load.js';
import { ScenarioSchema } from './schema.js';
import { problemsOf } from '../test/support/scenario-problems.js';

const EXAMPLE = join(import.meta.dirname, 'erp-example');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'erp-scenario-'));
  dirs.push(d);
  return d;
}

/** A small export: one of each, a junction, a manufactured item nobody buys or orders. */
const erp: ErpData = ErpDataSchema.parse({
  items: [
    { id: 'gear', unitCost: 10, type: 'purchased', holdingRate: 0.3 },
    { id: 'pump', unitCost: 900, type: 'end' },
    { id: 'shaft', unitCost: 50, type: 'manufactured' },
  ],
  bom: [{ parent: 'pump', child: 'gear', qtyPer: 2 }],
  locations: [
    { id: 'wh', kind: 'warehouse', x: 100, y: 0 },
    { id: 'mill', kind: 'plant', x: 0, y: 0 },
    { id: 'yard', kind: 'depot', x: 0, y: 2000 },
    { id: 'gearworks', kind: 'supplier', x: 9000, y: 0 },
    { id: 'site', kind: 'customer', x: 0, y: -5000 },
    { id: 'x1', kind: 'junction', x: 4000, y: 3000 },
  ],
  stock: [
    { item: 'gear', location: 'wh', onHand: 30.7, reserved: 5 },
    { item: 'gear', location: 'mill', onHand: 500 },
    { item: 'pump', location: 'wh', onHand: 2 },
  ],
  suppliers: [
    { id: 'acme', location: 'gearworks', capacity: 100, period: '1d', reliability: 0.9 },
    { id: 'idle', location: 'gearworks', capacity: 10 },
  ],
  supplierItems: [{ supplier: 'acme', item: 'gear', price: 9.5, leadTime: 'uniform(2d, 4d)', minOrderQty: 25 }],
  customers: [{ id: 'cust', location: 'site' }],
  orders: [{ id: 'so-1', customer: 'cust', item: 'pump', qty: 1.5, due: '3d', priority: 4 }],
  trucks: [{ id: 't1', depot: 'yard', capacity: 40, costPerKm: 1.1, costPerHour: 38, speed: 22 }],
  roads: [
    { from: 'wh', to: 'mill' },
    { from: 'mill', to: 'yard', length: 2100 },
    { from: 'yard', to: 'x1' },
    { from: 'x1', to: 'gearworks', speed: 30 },
    { from: 'mill', to: 'site' },
  ],
});

/** The sections an export has no notion of. */
const plant = {
  name: 'p',
  horizon: '2d',
  machineTypes: {
    lathe: {
      processTime: { dist: 'constant', value: 600 },
      timeToFailure: { dist: 'weibull', shape: 2, scale: '8h' },
      repairTime: { dist: 'constant', value: '1h' },
      spareParts: [{ item: 'gear', qty: 1 }],
    },
  },
  machines: [{ id: 'lathe', type: 'lathe', station: 'mill' }],
  technicians: { count: 1 },
};

const plantYaml = `name: p
horizon: 2d
machineTypes:
  lathe:
    processTime: { dist: constant, value: 600 }
    timeToFailure: { dist: weibull, shape: 2, scale: 8h }
    repairTime: { dist: constant, value: 1h }
machines:
  - { id: lathe, type: lathe, station: plant-1 }
technicians: { count: 1 }
`;

function mappingProblems(raw: Record<string, unknown>, data: ErpData, options = {}) {
  try {
    scenarioFromErp(raw, data, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ErpScenarioError);
    return (e as ErpScenarioError).problems;
  }
  throw new Error('expected the merge to fail');
}

describe('scenarioFromErp maps each table', () => {
  const raw = scenarioFromErp(plant, erp);
  const s = ScenarioSchema.parse(raw);

  it('locations → places (junctions aside), roads → layout.roads with their junctions', () => {
    expect(s.layout.places).toEqual([
      { id: 'wh', kind: 'storage', x: 100, y: 0 },
      { id: 'mill', kind: 'station', x: 0, y: 0 },
      { id: 'yard', kind: 'depot', x: 0, y: 2000 },
      { id: 'gearworks', kind: 'dock', x: 9000, y: 0 },
      { id: 'site', kind: 'dock', x: 0, y: -5000 },
    ]);
    expect(s.layout.junctions).toEqual([{ id: 'x1', x: 4000, y: 3000 }]);
    // Lengths are kept where given; a road's own speed is not (trucks drive at theirs).
    expect(s.layout.roads).toEqual([
      { from: 'wh', to: 'mill' },
      { from: 'mill', to: 'yard', length: 2100 },
      { from: 'yard', to: 'x1' },
      { from: 'x1', to: 'gearworks' },
      { from: 'mill', to: 'site' },
    ]);
  });

  it('items → inventory: what is bought or ordered, free warehouse stock, no reorder point, the largest minimum order', () => {
    expect(s.inventory!.warehouse).toBe('wh');
    expect(s.inventory!.items).toEqual([
      // 30.7 on hand − 5 reserved, whole units; the mill's 500 are not the warehouse's.
      { id: 'gear', unitCost: 10, holdingRate: 0.3, initialStock: 25, reorderPoint: -1, orderQuantity: 25 },
      // An end item customers order, sold from stock; nobody sells it to the plant.
      { id: 'pump', unitCost: 900, holdingRate: 0.25, initialStock: 2, reorderPoint: -1, orderQuantity: 1 },
    ]);
    // No fixed reorder points in an export: the forecast plans purchasing (the schema's defaults).
    expect(s.inventory!.planning).toEqual({ period: 86400, review: 7, fillRate: 0.95, orderingCost: 50, minHistory: 28 });
  });

  it('suppliers with their items and lead times; capacity in open orders; a supplier selling nothing is left out', () => {
    expect(s.suppliers).toEqual([
      {
        id: 'acme',
        location: 'gearworks',
        // 100 units a day / 25 a order × 3 days open = 12 orders at once.
        capacity: 12,
        reliability: 0.9,
        items: [{ item: 'gear', price: 9.5, leadTime: { dist: 'uniform', min: 2 * 86400, max: 4 * 86400 } }],
      },
    ]);
  });

  it('trucks, customers without a demand stream, and the order book entering at the start', () => {
    expect(s.trucks).toEqual([expect.objectContaining({ id: 't1', depot: 'yard', capacity: 40, costPerKm: 1.1, costPerHour: 38, speed: 22 })]);
    expect(s.customers).toEqual([{ id: 'cust', location: 'site', dueIn: 2 * 86400 }]);
    // 1.5 units: the simulation counts whole units, and a customer gets at least what it asked for.
    expect(s.orders).toEqual([{ id: 'so-1', customer: 'cust', item: 'pump', qty: 2, due: 3 * 86400, priority: 4, at: 0 }]);
  });

  it('keeps the scenario\'s own entries first and leaves the raw document unchanged', () => {
    const own = { ...plant, layout: { places: [{ id: 'crew', kind: 'base', x: 5, y: 5 }] }, inventory: { items: [{ id: 'oil', unitCost: 3 }], planning: { review: 3 } } };
    const before = JSON.stringify(own);
    const merged = ScenarioSchema.parse(scenarioFromErp(own, erp, { planning: true }));
    expect(JSON.stringify(own)).toBe(before);
    expect(merged.layout.places.map((p) => p.id)).toEqual(['crew', 'wh', 'mill', 'yard', 'gearworks', 'site']);
    expect(merged.inventory!.items.map((i) => i.id)).toEqual(['oil', 'gear', 'pump']);
    // The scenario's own planning stands.
    expect(merged.inventory!.planning!.review).toBe(3);
  });

  it('adds no planning when told not to', () => {
    expect(ScenarioSchema.parse(scenarioFromErp(plant, erp, { planning: false })).inventory!.planning).toBeUndefined();
  });

  it('turns units per period into open orders by Little\'s law, at least one', () => {
    expect(openOrders(40, 86400, [{ qty: 5, leadTime: 86400 }, { qty: 50, leadTime: 3 * 86400 }, { qty: 1000, leadTime: 2 * 86400 }])).toBe(2);
    expect(openOrders(1, 86400, [{ qty: 100, leadTime: 86400 }])).toBe(1);
  });
});

describe('the warehouse', () => {
  const two = { ...erp, locations: [...erp.locations, { id: 'wh2', kind: 'warehouse' as const, x: 0, y: 0 }] };

  it('is the only warehouse unless chosen', () => {
    expect(mappingProblems(plant, two)).toEqual([{ path: ['erp'], message: 'the ERP export has 2 warehouses (wh, wh2): choose one with erp.warehouse' }]);
    expect(ScenarioSchema.parse(scenarioFromErp(plant, two, { warehouse: 'wh2' })).inventory!.warehouse).toBe('wh2');
  });

  it('must exist', () => {
    const none = { ...erp, locations: erp.locations.filter((l) => l.kind !== 'warehouse'), stock: [], roads: [] };
    expect(mappingProblems(plant, none)[0].message).toMatch(/no location of kind warehouse/);
    expect(mappingProblems(plant, erp, { warehouse: 'attic' })).toEqual([{ path: ['erp', 'warehouse'], message: 'the ERP export has no location "attic"' }]);
  });

  it('may be a plant (its stock is then the initial stock), not a supplier', () => {
    const s = ScenarioSchema.parse(scenarioFromErp(plant, erp, { warehouse: 'mill' }));
    expect(s.inventory!.items[0].initialStock).toBe(500);
    expect(mappingProblems(plant, erp, { warehouse: 'gearworks' })[0].message).toMatch(/is a supplier/);
  });

  it('is refused when the scenario names another', () => {
    expect(mappingProblems({ ...plant, inventory: { warehouse: 'shed', items: [] } }, erp)[0]).toMatchObject({ path: ['inventory', 'warehouse'] });
  });
});

describe('ids in the scenario and in the export', () => {
  it('are refused for a place, naming both', () => {
    const own = { ...plant, layout: { places: [{ id: 'crew', kind: 'base', x: 5, y: 5 }, { id: 'mill', kind: 'station', x: 1, y: 1 }] } };
    expect(mappingProblems(own, erp)).toEqual([{ path: ['layout', 'places', 1, 'id'], message: 'place "mill" is also a location of the ERP export (a plant); rename one' }]);
    // A junction's id is taken too.
    expect(mappingProblems({ ...plant, layout: { places: [{ id: 'x1', kind: 'base', x: 5, y: 5 }] } }, erp)[0].message).toMatch(/a junction/);
  });

  it('are refused for items, suppliers, trucks, customers and orders', () => {
    const own = {
      ...plant,
      inventory: { items: [{ id: 'gear', unitCost: 1 }] },
      suppliers: [{ id: 'acme' }],
      trucks: [{ id: 't1' }],
      customers: [{ id: 'cust' }],
      orders: [{ id: 'so-1' }],
    };
    expect(mappingProblems(own, erp).map((p) => p.path.join('.'))).toEqual(['inventory.items.0.id', 'suppliers.0.id', 'trucks.0.id', 'customers.0.id', 'orders.0.id']);
  });

  it('come as a scenario problem at the clashing line', () => {
    const dir = tempDir();
    cpSync(EXAMPLE, join(dir, 'export'), { recursive: true });
    const file = join(dir, 'plant.yaml');
    writeFileSync(file, `${plantYaml}erp: { path: export }\nlayout:\n  places:\n    - { id: wh-main, kind: storage, x: 0, y: 0 }\n`);
    expect(() => loadScenario(file)).toThrow(ScenarioError);
    expect(() => loadScenario(file)).toThrow(`${file}:14:13: layout.places[0].id: place "wh-main" is also a location of the ERP export (a warehouse); rename one`);
  });
});

describe('the example export in a scenario', () => {
  it('loads into a valid scenario (scenarios/erp-supply.yaml)', () => {
    const s = loadScenario(join(import.meta.dirname, 'erp-supply.yaml'));
    const data = importErp(EXAMPLE);
    expect(s.erp!.path).toBe(EXAMPLE);
    expect(s.layout.places.map((p) => p.id)).toEqual(['workshop', ...data.locations.filter((l) => l.kind !== 'junction').map((l) => l.id)]);
    expect(s.layout.junctions).toHaveLength(3);
    expect(s.layout.roads).toHaveLength(data.roads.length);
    expect(s.inventory!.warehouse).toBe('wh-main');
    expect(s.inventory!.items.find((i) => i.id === 'bearing')).toMatchObject({ initialStock: 24, orderQuantity: 50, reorderPoint: -1 });
    expect(s.suppliers.map((x) => x.id)).toEqual(['acme-motors', 'castco']);
    expect(s.trucks).toHaveLength(4);
    expect(s.customers.map((c) => c.id)).toEqual(['hydro', 'agri', 'build']);
    expect(s.orders).toHaveLength(30);
    expect(s.inventory!.planning).toBeDefined();
  });

  it('measures the trucks\' distances by road', () => {
    const s = loadScenario(join(import.meta.dirname, 'erp-supply.yaml'));
    const layout = new Layout(s.layout.places, s.layout);
    const data = importErp(EXAMPLE);
    const route = shortestRoutes(buildRoadGraph(data.locations, data.roads), 'depot-n').get('cust-hydro')!;
    expect(layout.distance('depot-n', 'cust-hydro')).toBeCloseTo(route.length);
    // The workshop is on no road: straight along the aisles.
    expect(layout.distance('workshop', 'plant-1')).toBe(50);
  });

  it('runs, and its order book enters at the start', () => {
    const s = loadScenario(join(import.meta.dirname, 'erp-supply.yaml'));
    const ordered: { t: number; payload: unknown }[] = [];
    const run = buildRun(s, {
      observe: (e) => {
        if (e.type === 'customer.ordered') ordered.push(e as unknown as { t: number; payload: unknown });
      },
    });
    try {
      run.kernel.runUntil(3600);
    } finally {
      closeRun(run);
    }
    expect(ordered).toHaveLength(30);
    expect(ordered.every((o) => o.t === 0)).toBe(true);
    expect(ordered[0].payload).toEqual({ order: 'so-1001', customer: 'agri', place: 'cust-agri', item: 'pump-a', qty: 3, due: 22 * 86400, priority: 0 });
  });

  it('reports a broken export as a user error naming file, row and column', () => {
    const dir = tempDir();
    cpSync(EXAMPLE, join(dir, 'export'), { recursive: true });
    const orders = join(dir, 'export', 'orders.csv');
    writeFileSync(orders, readFileSync(orders, 'utf8').replace('so-1002,hydro,seal,5,', 'so-1002,hydro,seal,5x,'));
    const file = join(dir, 'plant.yaml');
    writeFileSync(file, `${plantYaml}erp:\n  path: export\n`);
    let error: unknown;
    try {
      loadScenario(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const e = error as ScenarioError;
    expect(e.problems[0]).toMatchObject({ path: 'erp.path', line: 12, message: expect.stringMatching(/ERP export .* cannot be used \(1 problem\)/) });
    expect(e.problems[1]).toEqual({ file: orders, line: 3, path: 'qty', message: '"5x" is not a number' });
    expect(e.message.split('\n')[1]).toBe(`${orders}:3: qty: "5x" is not a number`);
  });

  it('reports a missing export folder at erp.path', () => {
    const [first, second] = problemsOf(`${plantYaml}erp: { path: nowhere }\n`, join(tempDir(), 'plant.yaml'));
    expect(first).toMatchObject({ path: 'erp.path', line: 11 });
    expect(second.message).toBe('no such folder');
  });

  it('points problems of what the export added at the erp section', () => {
    // Valid in an export (dots in ids), not in a scenario.
    const dir = tempDir();
    cpSync(EXAMPLE, join(dir, 'export'), { recursive: true });
    const trucks = join(dir, 'export', 'trucks.csv');
    writeFileSync(trucks, readFileSync(trucks, 'utf8').replace('truck-s2,', 'truck.s2,'));
    const file = join(dir, 'plant.yaml');
    writeFileSync(file, `${plantYaml}erp: { path: export }\n`);
    expect(() => loadScenario(file)).toThrow(/trucks\[3\]\.id: an id of letters, digits, - and _ \(from the ERP export .*export\)/);
    try {
      loadScenario(file);
    } catch (e) {
      expect((e as ScenarioError).problems[0]).toMatchObject({ path: 'trucks[3].id', line: 11 });
    }
  });
});

describe('orders and customers in the schema', () => {
  const base = `${plantYaml.replace('station: plant-1', 'station: cell')}layout:
  places:
    - { id: cell, kind: station, x: 0, y: 0 }
    - { id: stores, kind: storage, x: 10, y: 0 }
    - { id: yard, kind: depot, x: 50, y: 0 }
    - { id: site, kind: dock, x: 900, y: 0 }
inventory:
  warehouse: stores
  items: [{ id: gear, unitCost: 5, initialStock: 3 }]
trucks: [{ id: t1, depot: yard }]
customers:
  - { id: acme, location: site }
`;

  it('accepts a customer with only explicit orders, and the order book with its defaults', () => {
    const s = parseScenario(`${base}orders:\n  - { id: o-1, customer: acme, item: gear, qty: 2, due: 1d, at: 6h }\n  - { id: o-2, customer: acme, item: gear, qty: 1, due: 2d }\n`, 'plant.yaml');
    expect(s.orders).toEqual([
      { id: 'o-1', customer: 'acme', item: 'gear', qty: 2, due: 86400, priority: 0, at: 6 * 3600 },
      { id: 'o-2', customer: 'acme', item: 'gear', qty: 1, due: 2 * 86400, priority: 0, at: 0 },
    ]);
    expect(s.customers[0].interarrival).toBeUndefined();
  });

  it('names unknown customers and items, ids given twice, and ids a demand stream uses', () => {
    const problems = problemsOf(
      `${base.replace('- { id: acme, location: site }', '- { id: acme, location: site }\n  - { id: beta, location: site, interarrival: { dist: exponential, mean: 1d }, items: [{ item: gear, qty: { dist: constant, value: 1 } }] }')}orders:
  - { id: o-1, customer: nobody, item: gear, qty: 2, due: 1d }
  - { id: o-1, customer: acme, item: bolt, qty: 2, due: 1d }
  - { id: beta-3, customer: acme, item: gear, qty: 2, due: 1d }
`,
    );
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['orders[0].customer', 'unknown customer "nobody" (declare it under customers)'],
      ['orders[1].id', 'order "o-1" is given twice (also orders[0])'],
      ['orders[1].item', 'unknown item "bolt" (declare it under inventory.items)'],
      ['orders[2].id', 'order id "beta-3" clashes with the lines of customer beta\'s demand stream (beta-1, beta-2, …)'],
    ]);
    expect(problems[0].line).toBe(25);
  });

  it('wants interarrival and items together', () => {
    const [p] = problemsOf(base.replace('{ id: acme, location: site }', '{ id: acme, location: site, interarrival: { dist: exponential, mean: 1d } }'));
    expect(p).toMatchObject({ path: 'customers[0].items', message: expect.stringMatching(/together/) });
  });

  it('checks the roads: known ends, one network', () => {
    const roads = (list: string) => base.replace('    - { id: site, kind: dock, x: 900, y: 0 }\n', `    - { id: site, kind: dock, x: 900, y: 0 }\n  junctions: [{ id: j, x: 500, y: 500 }]\n  roads:\n${list}`);
    expect(parseScenario(roads('    - { from: yard, to: j }\n    - { from: j, to: site }\n    - { from: stores, to: yard }\n'), 'plant.yaml').layout.roads).toHaveLength(3);
    expect(problemsOf(roads('    - { from: yard, to: moon }\n')).map((p) => [p.path, p.message])).toEqual([['layout.roads[0].to', 'unknown place or junction "moon"']]);
    const [p] = problemsOf(roads('    - { from: yard, to: j }\n    - { from: stores, to: site }\n'));
    expect(p).toMatchObject({ path: 'layout.roads', message: expect.stringMatching(/^no road joins "stores" and "yard"/) });
  });
});
