import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { sampler } from '../../sim/random/distributions.js';
import { CustomerDemand, type CustomerOrderLine, type CustomerProcess } from './customer-demand.js';
import { PayloadSchemas } from '../../agents/protocol/messages.js';

const HOUR = 3600;

const shop: CustomerProcess = {
  id: 'shop',
  location: 'shop-door',
  interarrival: sampler({ dist: 'exponential', mean: HOUR }),
  items: [
    { item: 'bolt', weight: 3, qty: sampler({ dist: 'normal', mean: 5, sd: 4 }) },
    { item: 'nut', weight: 1, qty: sampler({ dist: 'uniform', min: 0, max: 3.4 }) },
  ],
  dueIn: 2 * 86400,
};
const mill: CustomerProcess = {
  id: 'mill',
  location: 'mill-gate',
  interarrival: sampler({ dist: 'constant', value: 4 * HOUR }),
  items: [{ item: 'gear', weight: 1, qty: sampler({ dist: 'constant', value: 2 }) }],
  dueIn: 86400,
};

function run(customers: CustomerProcess[], horizon: number, seed = 1) {
  const kernel = new Kernel();
  const lines: [number, CustomerOrderLine][] = [];
  const demand = new CustomerDemand(kernel, new RandomStreams(seed), customers, (l) => lines.push([kernel.now, l]));
  demand.start();
  kernel.runUntil(horizon);
  return { kernel, demand, lines };
}

describe('customer demand', () => {
  it('orders nothing before start, then lines numbered per customer, due dueIn after the order, as customer.ordered payloads', () => {
    const kernel = new Kernel();
    const lines: CustomerOrderLine[] = [];
    const demand = new CustomerDemand(kernel, new RandomStreams(1), [mill], (l) => lines.push(l));
    kernel.runUntil(10 * HOUR);
    expect(lines).toEqual([]);
    demand.start();
    kernel.runUntil(kernel.now + 8 * HOUR + 1);
    expect(lines).toEqual([
      { order: 'mill-1', customer: 'mill', place: 'mill-gate', item: 'gear', qty: 2, due: 14 * HOUR + 86400, priority: 0 },
      { order: 'mill-2', customer: 'mill', place: 'mill-gate', item: 'gear', qty: 2, due: 18 * HOUR + 86400, priority: 0 },
    ]);
    for (const l of lines) expect(PayloadSchemas['customer.ordered'].parse(l)).toEqual(l);
  });

  it('draws the same orders for the same seed, and other ones for another', () => {
    expect(run([shop, mill], 30 * 86400, 7).lines).toEqual(run([shop, mill], 30 * 86400, 7).lines);
    expect(run([shop, mill], 30 * 86400, 7).lines).not.toEqual(run([shop, mill], 30 * 86400, 8).lines);
  });

  it('keeps a customer’s orders when another customer is added (streams by customer)', () => {
    const alone = run([shop], 30 * 86400).lines;
    const both = run([mill, shop], 30 * 86400).lines.filter(([, l]) => l.customer === 'shop');
    expect(both).toEqual(alone);
  });

  it('orders at about 1 / mean interarrival over a long horizon', () => {
    const days = 200;
    const n = run([shop], days * 86400).lines.length;
    const expected = (days * 86400) / HOUR; // 4800; Poisson SD ≈ 69
    expect(Math.abs(n - expected)).toBeLessThan(0.1 * expected); // ≈ 7 SD: generous, the seed is fixed anyway
  });

  it('picks items in proportion to their weights, with integer quantities of at least 1', () => {
    const { lines } = run([shop], 200 * 86400, 3);
    const bolts = lines.filter(([, l]) => l.item === 'bolt').length;
    expect(bolts / lines.length).toBeGreaterThan(0.7);
    expect(bolts / lines.length).toBeLessThan(0.8);
    for (const [, l] of lines) {
      expect(Number.isInteger(l.qty)).toBe(true);
      expect(l.qty).toBeGreaterThanOrEqual(1);
    }
    // A normal with mean 5, SD 4 goes below 0.5 often: those lines are clamped to 1.
    expect(lines.some(([, l]) => l.item === 'bolt' && l.qty === 1)).toBe(true);
  });

  it('stops ordering when stopped', () => {
    const kernel = new Kernel();
    const lines: CustomerOrderLine[] = [];
    const demand = new CustomerDemand(kernel, new RandomStreams(1), [mill, shop], (l) => lines.push(l));
    demand.start();
    demand.start(); // a second start schedules nothing twice
    kernel.runUntil(4 * HOUR + 1);
    expect(lines.filter((l) => l.customer === 'mill')).toHaveLength(1);
    const before = lines.length;
    expect(demand.ordered).toBe(before);
    demand.stop();
    kernel.runUntil(30 * 86400);
    expect(lines).toHaveLength(before);
    expect(kernel.pending).toBe(0);
  });

  it('refuses a customer without items or with a weightless item', () => {
    const kernel = new Kernel();
    expect(() => new CustomerDemand(kernel, new RandomStreams(1), [{ ...mill, items: [] }])).toThrow(/orders no items/);
    expect(() => new CustomerDemand(kernel, new RandomStreams(1), [{ ...mill, items: [{ ...mill.items[0], weight: 0 }] }])).toThrow(/positive weight/);
  });
});
