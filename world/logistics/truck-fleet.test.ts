import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { Layout } from '../layout/layout.js';
import { TruckFleet, type Arrived } from './truck-fleet.js';

describe('truck fleet', () => {
  const layout = new Layout([
    { id: 'yard', kind: 'depot', x: 0, y: 0 },
    { id: 'dock', kind: 'dock', x: 6000, y: 3000 },
  ]);

  it('drives at layout distance / speed and counts km, hours and their cost (pro rata while on the road)', () => {
    const kernel = new Kernel();
    const seen: [number, string, Arrived][] = [];
    const fleet = new TruckFleet(kernel, layout, [{ id: 't', speed: 10, costPerKm: 2, costPerHour: 36 }], (id, obs) => seen.push([kernel.now, id, obs]));
    expect(fleet.drive('t', 'yard', 'dock', 'pickup')).toBe(900);
    expect(() => fleet.drive('t', 'dock', 'yard', 'return')).toThrow(/already on the road/);
    kernel.runUntil(450);
    expect(fleet.totals(450)).toEqual({ km: 4.5, hours: 0.125, cost: 4.5 * 2 + 0.125 * 36 });
    kernel.runUntil(Infinity);
    expect(seen).toEqual([[900, 't', { type: 'world.arrived', place: 'dock', leg: 'pickup' }]]);
    expect(fleet.totals(10_000)).toEqual({ km: 9, hours: 0.25, cost: 27 });
  });

  it('arrives at once when it is already there', () => {
    const kernel = new Kernel();
    let arrived = -1;
    const fleet = new TruckFleet(kernel, layout, [{ id: 't', speed: 10, costPerKm: 2, costPerHour: 36 }], () => (arrived = kernel.now));
    fleet.drive('t', 'yard', 'yard', 'return');
    kernel.runUntil(Infinity);
    expect(arrived).toBe(0);
    expect(fleet.totals(0).cost).toBe(0);
  });
});
