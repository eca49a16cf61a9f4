import { describe, expect, it } from 'vitest';
import { parseJsonText, syntaxErrorOffset } from './json-text.js';
import { bomCycles, checkErp, ErpDataSchema, type ErpData } from './model.js';

const empty = (): ErpData => ({ items: [], bom: [], locations: [], stock: [], suppliers: [], supplierItems: [], customers: [], orders: [], trucks: [], roads: [] });

describe('checkErp', () => {
  it('names every broken reference and the kind a location should be', () => {
    const d = empty();
    d.items.push({ id: 'a', description: '', unit: 'pcs', unitCost: 1, type: 'end', holdingRate: 0.2 }, { id: 'b', description: '', unit: 'pcs', unitCost: 1, type: 'purchased', holdingRate: 0.2 });
    d.locations.push({ id: 'w', kind: 'warehouse', x: 0, y: 0 }, { id: 'c', kind: 'customer', x: 1, y: 1 });
    d.bom.push({ parent: 'b', child: 'a', qtyPer: 1 });
    d.trucks.push({ id: 't', depot: 'w', capacity: 1, costPerKm: 1, costPerHour: 1, speed: 10 });
    d.stock.push({ item: 'a', location: 'c', onHand: 1, reserved: 0 });
    d.orders.push({ id: 'o', customer: 'x', item: 'a', qty: 1, due: 0, priority: 0 });
    expect(checkErp(d).map((p) => [p.path.join('.'), p.message])).toEqual([
      ['bom.0.parent', 'item "b" is purchased: it has no bill of materials'],
      ['stock.0.location', 'location "c" is a customer; expected warehouse or plant or depot'],
      ['items.1.type', 'purchased item "b" has no supplier (add it to supplierItems)'],
      ['orders.0.customer', 'unknown customer "x"'],
      ['trucks.0.depot', 'location "w" is a warehouse; expected depot'],
    ]);
  });

  it('finds each BOM cycle once, with the row closing it', () => {
    const line = (parent: string, child: string) => ({ parent, child, qtyPer: 1 });
    expect(bomCycles([line('a', 'b'), line('b', 'c'), line('c', 'a'), line('c', 'd'), line('d', 'd')])).toEqual([
      { cycle: ['a', 'b', 'c', 'a'], row: 2 },
      { cycle: ['d', 'd'], row: 4 },
    ]);
  });

  it('survives malformed documents in the schema', () => {
    const r = ErpDataSchema.safeParse({ items: [{ id: 'a' }], bom: 'x', colour: 1 });
    expect(r.success).toBe(false);
  });
});

describe('JSON positions', () => {
  it('finds the first bad character', () => {
    expect(syntaxErrorOffset('{"a": 1}')).toBe(8);
    expect(syntaxErrorOffset('{"a": 1,}')).toBe(8);
    expect(syntaxErrorOffset('[1, 2')).toBe(5);
    expect(syntaxErrorOffset('{"a": tru}')).toBe(9);
    expect(syntaxErrorOffset('{"a": "\\x"}')).toBe(8);
    expect(syntaxErrorOffset('[01]')).toBe(2);
    expect(parseJsonText('{\n  "a": [1,\n  ]\n}')).toMatchObject({ ok: false, line: 3, column: 3 });
    expect(parseJsonText('\ufeff{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });
});
