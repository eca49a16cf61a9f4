import { describe, expect, it } from 'vitest';
import { planItem, type PlanningSettings } from './item-planning.js';

const settings: PlanningSettings = { periodSeconds: 86_400, reviewPeriods: 7, fillRate: 0.95, orderingCost: 50, minHistory: 28 };
const item = { holdingCostPerPeriod: 0.05, leadTime: { mean: 2, variance: 0.5 } };

describe('planItem', () => {
  it('waits for enough history, and buys nothing for an item nobody wanted', () => {
    expect(planItem(Array(27).fill(3), item, settings)).toBeUndefined();
    expect(planItem(Array(28).fill(0), item, settings)).toEqual({ reorderPoint: -1, orderQuantity: 1 });
  });

  it('steady demand: S − s the EOQ, and s under the 36 units of lead time and review demand (large orders reach a 95 % fill rate with less)', () => {
    const p = planItem(Array(28).fill(4), item, settings)!;
    expect(p.reorderPoint).toBeGreaterThan(0);
    expect(p.reorderPoint).toBeLessThan(36);
    expect(p.orderUpTo! - p.reorderPoint).toBe(Math.round(Math.sqrt((2 * 50 * 4) / 0.05)));
  });

  it('one big order a month ago and silence since: stock for about one such order, not the tens of thousands a smoothing residual asked for', () => {
    const history = Array(28).fill(0);
    history[0] = 35;
    const p = planItem(history, item, settings)!;
    expect(p.orderUpTo! - p.reorderPoint).toBeGreaterThanOrEqual(35); // orders at least a typical demand
    expect(p.reorderPoint).toBeGreaterThanOrEqual(35);
    expect(p.reorderPoint).toBeLessThanOrEqual(70);
  });
});
