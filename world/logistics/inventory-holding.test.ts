import { describe, expect, it } from 'vitest';
import { InventoryHolding, YEAR_SECONDS } from './inventory-holding.js';

describe('inventory holding', () => {
  it('charges on-hand · unitCost · holdingRate per year of time held', () => {
    const h = new InventoryHolding([
      { id: 'bearing', unitCost: 200, holdingRate: 0.25, initialStock: 2 },
      { id: 'belt', unitCost: 10, holdingRate: 0.5, initialStock: 0 },
    ]);
    h.set('bearing', 0, YEAR_SECONDS / 2);
    h.set('belt', 4, YEAR_SECONDS / 2);
    h.set('gear', 9, YEAR_SECONDS / 2);
    expect(h.cost(YEAR_SECONDS)).toBeCloseTo(2 * 200 * 0.25 * 0.5 + 4 * 10 * 0.5 * 0.5, 9);
    expect(h.onHand('belt')).toBe(4);
    expect(h.averageOnHand('bearing', YEAR_SECONDS)).toBeCloseTo(1, 9);
  });
});
