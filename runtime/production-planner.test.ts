import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importErp } from '../agents/supply/erp/import.js';
import { loadScenario } from '../scenarios/load.js';
import { projectRoot } from './paths.js';
import { noProductionPlanReason, ProductionPlanner, type ProductionPlanView } from './production-planner.js';

const DAY = 86_400;
const erp = importErp(join(projectRoot(), 'scenarios/erp-example'));
type Solved = Extract<ProductionPlanView, { solvedAt: string }>;

const planners: ProductionPlanner[] = [];
afterEach(async () => {
  for (const p of planners.splice(0)) await p.close();
});

function planner(): ProductionPlanner {
  const p = new ProductionPlanner(erp, { debounceMs: 50, timeLimit: 5 });
  planners.push(p);
  return p;
}

function solved(p: ProductionPlanner): Solved {
  const view = p.view();
  expect(view).toHaveProperty('solvedAt');
  return view as Solved;
}

describe('the production planner of an ERP export', () => {
  it('plans the example export at start', async () => {
    const p = planner();
    expect(p.view()).toMatchObject({ status: 'pending', reason: 'not started' });
    p.start();
    expect(p.view()).toMatchObject({ status: 'pending' });
    await p.idle();
    const view = solved(p);
    expect(['optimal', 'time-limit']).toContain(view.status);
    expect(view.reason).toMatch(/^start: the ERP export \(30 customer order lines/);
    expect(view.planningPeriod).toBe(DAY);
    expect(view.periods).toBe(28);
    expect(view.frozenPeriods).toBe(1);
    expect(view.diff).toBeUndefined();
    expect(new Date(view.solvedAt).toISOString()).toBe(view.solvedAt);
    expect(view.objective).toBe(view.costs.total);
    // Production lots and purchase orders, none in the frozen first day.
    expect(view.orders.some((o) => o.kind === 'make' && o.resource === 'plant-1')).toBe(true);
    expect(view.orders.some((o) => o.kind === 'buy' && o.supplier !== undefined)).toBe(true);
    for (const o of view.orders) {
      expect(o.release).toBeGreaterThan(1);
      expect(o.releaseAt).toBe((o.release - 1) * DAY);
      expect(o.dueAt).toBe(o.due * DAY);
    }
  });

  it('re-plans after an order with a diff naming its item; orders close together are solved at once', async () => {
    const p = planner().start();
    await p.idle();
    const before = solved(p);
    expect(p.order({ id: 'so-2001', customer: 'hydro', item: 'pump-b', qty: 6, due: 10 * DAY, priority: 5 }, 2 * DAY + 100)).toBe(true);
    expect(p.order({ id: 'so-2002', customer: 'agri', item: 'impeller', qty: 4, due: 12 * DAY, priority: 0 }, 2 * DAY + 200)).toBe(true);
    expect(p.view()).toMatchObject({ pending: [expect.stringContaining('so-2001'), expect.stringContaining('so-2002')] });
    await p.idle();
    const after = solved(p);
    expect(after.reason).toBe('order so-2001: 6 × pump-b due in period 10; order so-2002: 4 × impeller due in period 12');
    expect(after.solvedAt >= before.solvedAt).toBe(true);
    expect(after.currentPeriod).toBe(3);
    // The fence moved to the event's day: periods 1–3 take no new orders.
    expect(after.frozenPeriods).toBe(3);
    expect(after.orders.filter((o) => !o.firm).every((o) => o.release > 3)).toBe(true);
    expect(after.diff?.summary[0]).toBe('order: 6 × pump-b due in period 10');
    expect(after.diff?.orders.some((c) => c.item === 'pump-b')).toBe(true);
    expect(p.latest?.problem.demand).toContainEqual({ item: 'pump-b', period: 10, qty: 6 });
  });

  it('re-plans after a stock count, gives items newly ordered a lateness cost, and ignores items the export does not know', async () => {
    const p = planner().start();
    await p.idle();
    expect(p.count({ item: 'motor', location: 'plant-1', onHand: 2, reserved: 0 }, 0)).toBe(true);
    // bearing is a component nobody ordered in the export: it may be late once ordered.
    expect(p.order({ id: 'so-2003', customer: 'hydro', item: 'bearing', qty: 500, due: 2 * DAY, priority: 0 }, 0)).toBe(true);
    expect(p.order({ id: 'so-2004', customer: 'hydro', item: 'gearbox', qty: 1, due: DAY, priority: 0 }, 0)).toBe(false);
    await p.idle();
    const view = solved(p);
    expect(['optimal', 'time-limit']).toContain(view.status);
    expect(view.reason).toBe('stock count: motor at plant-1, 2 free (2 in all); order so-2003: 500 × bearing due in period 2');
    expect(view.diff?.summary[0]).toBe('stock count: motor 2 on hand at the start (opening stock was 8)');
    expect(p.latest?.problem.items.find((i) => i.id === 'motor')?.initialStock).toBe(2);
    expect(p.latest?.problem.items.find((i) => i.id === 'bearing')?.backlogCost).toBeGreaterThan(0);
    expect(view.costs.backlog).toBeGreaterThan(0);
  });

  it('plans again from the export after a restart, and stops on close', async () => {
    const p = planner().start();
    await p.idle();
    p.order({ id: 'so-2005', customer: 'hydro', item: 'pump-a', qty: 3, due: 9 * DAY, priority: 0 }, 0);
    await p.idle();
    p.restart();
    await p.idle();
    expect(solved(p).reason).toBe('restart: the plant restarted');
    expect(p.latest?.problem.demand).toHaveLength(30);
    p.order({ id: 'so-2006', customer: 'hydro', item: 'pump-a', qty: 1, due: 9 * DAY, priority: 0 }, 0);
    await p.close();
    expect(p.view()).not.toHaveProperty('pending');
    expect(p.order({ id: 'so-2007', customer: 'hydro', item: 'pump-a', qty: 1, due: 9 * DAY, priority: 0 }, 0)).toBe(false);
  });

  it('is made for scenarios with ERP data only', () => {
    const withErp = loadScenario(join(projectRoot(), 'scenarios/erp-supply.yaml'));
    const without = loadScenario(join(projectRoot(), 'scenarios/supply-network.yaml'));
    expect(noProductionPlanReason(withErp)).toBeUndefined();
    expect(noProductionPlanReason(without)).toBe('the scenario has no ERP data (bill of materials) to plan production from');
    expect(ProductionPlanner.forScenario(without)).toBeUndefined();
    const p = ProductionPlanner.forScenario(withErp)!;
    expect(p.erp.bom).toHaveLength(erp.bom.length);
    expect(p.keepsStockAt('plant-1')).toBe(true);
    expect(p.keepsStockAt('cust-hydro')).toBe(false);
  });
});
