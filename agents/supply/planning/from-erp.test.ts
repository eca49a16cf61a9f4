import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importErp } from '../erp/import.js';
import type { ErpData } from '../erp/model.js';
import { duePeriod, periodAt, planningProblemFromErp } from './from-erp.js';
import { levelOrder, validateProblem } from './plan-model.js';

const EXAMPLE = join(import.meta.dirname, '../../../scenarios/erp-example');
const DAY = 86_400;

describe('the ERP export as a planning problem', () => {
  const erp = importErp(EXAMPLE);
  const mapped = planningProblemFromErp(erp);
  const { problem } = mapped;
  const item = (id: string) => problem.items.find((i) => i.id === id)!;

  it('is a valid problem: every item, made ones on the plant, bought ones from their cheapest supplier', () => {
    expect(validateProblem(problem)).toEqual([]);
    expect(problem.items.map((i) => i.id)).toEqual(erp.items.map((i) => i.id));
    expect(mapped.resource).toBe('plant-1');
    expect(problem.resources).toEqual([{ id: 'plant-1', capacity: 16 }]);
    for (const id of ['pump-a', 'pump-b', 'motor-assy', 'housing-assy']) {
      expect(item(id).source).toEqual({ type: 'make', resource: 'plant-1', unitTime: 0.5, setupTime: 1, setupCost: 100 });
      expect(item(id).integral).toBe(true);
    }
    // bolt-m8 is sold by both suppliers: acme-motors at 0.17 beats castco at 0.19.
    expect(mapped.suppliers).toMatchObject({ motor: 'acme-motors', 'bolt-m8': 'acme-motors', casting: 'castco', seal: 'castco' });
    expect(item('bolt-m8')).toMatchObject({ minLot: 1000, source: { type: 'buy', unitCost: 0.17, leadTime: 2, orderCost: 25 } });
    // Mean lead times in whole days, rounded up: 3d → 3, normal(5d, 1d) → 5, triangular(6d, 8d, 14d) (mean 9.33 d) → 10.
    expect(item('bearing').source).toMatchObject({ type: 'buy', leadTime: 3, unitCost: 11.9 });
    expect(item('motor').source).toMatchObject({ leadTime: 5 });
    expect(item('casting').source).toMatchObject({ leadTime: 10 });
    expect(item('bearing').integral).toBeUndefined();
    // Holding cost per day: unit cost × yearly rate / 365.
    expect(item('pump-a').holdingCost).toBeCloseTo((1450 * 0.2) / 365, 9);
  });

  it('keeps the bill of materials and its levels', () => {
    expect(problem.bom).toHaveLength(erp.bom.length);
    expect(problem.bom).toContainEqual({ parent: 'motor-assy', child: 'bearing', qtyPer: 2 });
    const order = levelOrder(problem);
    const before = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    before('pump-a', 'motor-assy');
    before('pump-b', 'housing-assy');
    before('motor-assy', 'motor');
    before('housing-assy', 'casting');
    before('housing-assy', 'seal');
  });

  it('takes the stock, on hand less reserved over every location, as the opening stock', () => {
    expect(item('pump-a').initialStock).toBe(4); // 6 on hand, 2 reserved, at wh-main
    expect(item('housing-assy').initialStock).toBe(4);
    expect(item('bearing').initialStock).toBe(50 + 24); // plant-1 and wh-main
    expect(item('seal').initialStock).toBe(40 + 20);
    expect(item('bolt-m8').initialStock).toBe(1300);
    expect(mapped.stock['bearing@wh-main']).toBe(24);
  });

  it('takes the order book as demand in the period each line is due', () => {
    expect(problem.demand).toHaveLength(erp.orders.length);
    expect(problem.horizon).toBe(28); // the latest line is due in 28 days
    expect(problem.frozenPeriods).toBe(1);
    const total = (id: string) => problem.demand.filter((d) => d.item === id).reduce((s, d) => s + d.qty, 0);
    expect(total('pump-a')).toBe(erp.orders.filter((o) => o.item === 'pump-a').reduce((s, o) => s + o.qty, 0));
    expect(problem.demand).toContainEqual({ item: 'seal', period: 3, qty: 5 }); // so-1003, due 3d
    expect(problem.demand).toContainEqual({ item: 'pump-b', period: 27, qty: 4 }); // so-1022, due 27d
    expect(problem.released).toEqual([]);
  });

  it('lets ordered items be late, and charges a late component more than the products it goes into', () => {
    expect(item('pump-a').backlogCost).toBe(1450);
    expect(item('seal').backlogCost).toBeGreaterThanOrEqual(2 * item('pump-b').backlogCost!);
    expect(item('impeller').backlogCost).toBeGreaterThanOrEqual(2 * item('pump-a').backlogCost!);
    // Components nobody orders may not be late.
    expect(item('motor-assy').backlogCost).toBeUndefined();
    expect(item('bearing').backlogCost).toBeUndefined();
    // …but have a cost ready should an order name them: twice their parent's per unit used.
    expect(mapped.backlogCosts['bearing']).toBeCloseTo((2 * mapped.backlogCosts['motor-assy']) / 2, 6);
    expect(mapped.backlogCosts['motor-assy']).toBeGreaterThanOrEqual(2 * 1450);
  });

  it('follows the options, and brings orders beyond the longest horizon into it with a note', () => {
    const far: ErpData = { ...erp, orders: [...erp.orders, { id: 'so-far', customer: 'hydro', item: 'pump-a', qty: 1, due: 400 * DAY, priority: 0 }] };
    const m = planningProblemFromErp(far, { maxHorizon: 60, capacity: 8, unitTime: 0.25, integral: 'none', backlogRate: 0.1, frozenPeriods: 2 });
    expect(m.problem.horizon).toBe(60);
    expect(m.problem.demand.at(-1)).toEqual({ item: 'pump-a', period: 60, qty: 1 });
    expect(m.notes).toEqual(['order so-far is due in period 400, beyond the horizon: planned for period 60']);
    expect(m.problem.resources[0].capacity).toBe(8);
    expect(m.problem.frozenPeriods).toBe(2);
    expect(m.problem.items.every((i) => i.integral === undefined)).toBe(true);
    expect(m.problem.items.find((i) => i.id === 'pump-a')!.backlogCost).toBeCloseTo(145, 9);
  });

  it('counts periods from the run\'s start', () => {
    expect(periodAt(0, DAY)).toBe(1);
    expect(periodAt(DAY - 1, DAY)).toBe(1);
    expect(periodAt(DAY, DAY)).toBe(2);
    expect(duePeriod(0, DAY)).toBe(1);
    expect(duePeriod(DAY, DAY)).toBe(1); // due at the end of day 1
    expect(duePeriod(DAY + 1, DAY)).toBe(2);
    expect(duePeriod(3 * DAY, DAY)).toBe(3);
  });
});
