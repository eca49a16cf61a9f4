import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { sampler } from '../../sim/random/distributions.js';
import { LATE_FACTOR, SupplierFulfilment, type OrderReady } from './supplier-fulfilment.js';

describe('supplier fulfilment', () => {
  const make = (reliability: number, seed = 1) => {
    const kernel = new Kernel();
    const seen: [number, string, OrderReady][] = [];
    const f = new SupplierFulfilment(
      kernel,
      new RandomStreams(seed),
      [{ id: 'acme', reliability, leadTimes: { bearing: sampler({ dist: 'constant', value: 3600 }) } }],
      (id, obs) => seen.push([kernel.now, id, obs]),
    );
    return { kernel, f, seen };
  };

  it('reports an order ready after its drawn lead time and counts what it cost', () => {
    const { kernel, f, seen } = make(1);
    expect(f.produce('acme', { order: 'po-1', item: 'bearing', qty: 2, cost: 300 })).toBe(3600);
    kernel.runUntil(3599);
    expect(seen).toEqual([]);
    expect(f.counters.partsCost).toBe(0);
    kernel.runUntil(Infinity);
    expect(seen).toEqual([[3600, 'acme', { type: 'world.orderReady', order: 'po-1', item: 'bearing', qty: 2 }]]);
    expect(f.counters).toEqual({ ordersStarted: 1, ordersShipped: 1, ordersLate: 0, partsCost: 300 });
  });

  it('is late about (1 − reliability) of the time, by the late factor', () => {
    const { f } = make(0.7);
    const leads = Array.from({ length: 2000 }, (_, i) => f.produce('acme', { order: `po-${i}`, item: 'bearing', qty: 1, cost: 1 }));
    expect(new Set(leads)).toEqual(new Set([3600, 3600 * LATE_FACTOR]));
    expect(f.counters.ordersLate / 2000).toBeCloseTo(0.3, 1);
  });

  it('draws the same lateness for the same seed', () => {
    const draw = () => {
      const { f } = make(0.5, 42);
      return Array.from({ length: 50 }, (_, i) => f.produce('acme', { order: `po-${i}`, item: 'bearing', qty: 1, cost: 1 }));
    };
    expect(draw()).toEqual(draw());
  });

  it('refuses orders for suppliers or items it does not know', () => {
    const { f } = make(1);
    expect(() => f.produce('bolt', { order: 'po-1', item: 'bearing', qty: 1, cost: 1 })).toThrow(/no supplier/);
    expect(() => f.produce('acme', { order: 'po-1', item: 'gear', qty: 1, cost: 1 })).toThrow(/does not make/);
  });
});
