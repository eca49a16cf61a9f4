import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { sampler } from '../../sim/random/distributions.js';
import { LATE_FACTOR, SupplierFulfilment, type FulfilmentObservation } from './supplier-fulfilment.js';

describe('supplier fulfilment', () => {
  const make = (reliability: number, seed = 1) => {
    const kernel = new Kernel();
    const seen: [number, string, FulfilmentObservation][] = [];
    const f = new SupplierFulfilment(
      kernel,
      new RandomStreams(seed),
      [{ id: 'acme', reliability, leadTimes: { bearing: sampler({ dist: 'constant', value: 3600 }) } }],
      (id, obs) => seen.push([kernel.now, id, obs]),
    );
    return { kernel, f, seen };
  };

  it('confirms the date at once, reports the order ready after its drawn lead time and counts what it cost', () => {
    const { kernel, f, seen } = make(1);
    kernel.runUntil(100);
    expect(f.produce('acme', { order: 'po-1', item: 'bearing', qty: 2, cost: 300 })).toBe(3600);
    expect(seen).toEqual([]); // told at this instant, not inside produce
    kernel.runThrough(100);
    expect(seen).toEqual([[100, 'acme', { type: 'world.orderConfirmed', order: 'po-1', item: 'bearing', qty: 2, readyAt: 3700 }]]);
    kernel.runUntil(3699);
    expect(seen).toHaveLength(1);
    expect(f.counters.partsCost).toBe(0);
    kernel.runUntil(Infinity);
    expect(seen.slice(1)).toEqual([[3700, 'acme', { type: 'world.orderReady', order: 'po-1', item: 'bearing', qty: 2 }]]);
    expect(f.counters).toEqual({ ordersStarted: 1, ordersShipped: 1, ordersLate: 0, partsCost: 300 });
  });

  it('announces a late order at its confirmed date with the real one, then ships it then', () => {
    const { kernel, f, seen } = make(0);
    expect(f.produce('acme', { order: 'po-1', item: 'bearing', qty: 2, cost: 300 })).toBe(3600 * LATE_FACTOR);
    kernel.runUntil(Infinity);
    expect(seen).toEqual([
      [0, 'acme', { type: 'world.orderConfirmed', order: 'po-1', item: 'bearing', qty: 2, readyAt: 3600 }],
      [3600, 'acme', { type: 'world.orderDelayed', order: 'po-1', item: 'bearing', qty: 2, readyAt: 3600 * LATE_FACTOR }],
      [3600 * LATE_FACTOR, 'acme', { type: 'world.orderReady', order: 'po-1', item: 'bearing', qty: 2 }],
    ]);
    expect(f.counters.ordersLate).toBe(1);
  });

  it('tells of a delay exactly for the late orders, and confirms every order', () => {
    const { kernel, f, seen } = make(0.5, 7);
    const leads = Array.from({ length: 200 }, (_, i) => f.produce('acme', { order: `po-${i}`, item: 'bearing', qty: 1, cost: 1 }));
    kernel.runUntil(Infinity);
    const of = (type: string) => seen.filter(([, , o]) => o.type === type).map(([, , o]) => o.order);
    expect(of('world.orderConfirmed')).toHaveLength(200);
    expect(of('world.orderDelayed').sort()).toEqual(leads.flatMap((l, i) => (l > 3600 ? [`po-${i}`] : [])).sort());
    expect(of('world.orderDelayed')).toHaveLength(f.counters.ordersLate);
  });

  it('draws exactly what it drew before confirmations and delays were told (same streams, same order)', () => {
    const lead = sampler({ dist: 'exponential', mean: 3600 });
    const kernel = new Kernel();
    const f = new SupplierFulfilment(kernel, new RandomStreams(42), [{ id: 'acme', reliability: 0.5, leadTimes: { bearing: lead } }]);
    const streams = new RandomStreams(42);
    for (let i = 0; i < 50; i++) {
      const base = Math.max(0, lead(streams.stream('acme/lead-time')));
      const late = streams.stream('acme/reliability').next() >= 0.5;
      expect(f.produce('acme', { order: `po-${i}`, item: 'bearing', qty: 1, cost: 1 })).toBe(late ? base * LATE_FACTOR : base);
      kernel.runUntil(kernel.now + 600);
    }
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
