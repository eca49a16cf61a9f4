import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { sampler } from '../../sim/random/distributions.js';
import { Layout } from '../layout/layout.js';
import { TruckFleet, type TruckObservation, type TruckVehicle } from './truck-fleet.js';

describe('truck fleet', () => {
  const layout = new Layout([
    { id: 'yard', kind: 'depot', x: 0, y: 0 },
    { id: 'dock', kind: 'dock', x: 6000, y: 3000 },
  ]);

  it('drives at layout distance / speed and counts km, hours and their cost (pro rata while on the road)', () => {
    const kernel = new Kernel();
    const seen: [number, string, TruckObservation][] = [];
    const fleet = new TruckFleet(kernel, layout, [{ id: 't', speed: 10, costPerKm: 2, costPerHour: 36 }], (id, obs) => seen.push([kernel.now, id, obs]));
    expect(fleet.drive('t', 'yard', 'dock', 'pickup')).toBe(900);
    expect(() => fleet.drive('t', 'dock', 'yard', 'return')).toThrow(/already on the road/);
    kernel.runUntil(450);
    expect(fleet.totals(450)).toEqual({ km: 4.5, hours: 0.125, cost: 4.5 * 2 + 0.125 * 36 });
    kernel.runUntil(Infinity);
    expect(seen).toEqual([[900, 't', { type: 'world.arrived', place: 'dock', leg: 'pickup', time: 900 }]]);
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

  describe('breakdowns', () => {
    /** 6708 m at 10 m/s: a leg of 670.8 s. */
    const base: TruckVehicle = { id: 't', speed: 10, costPerKm: 2, costPerHour: 36 };
    const make = (truck: Partial<TruckVehicle>, seed = 1, streams = new RandomStreams(seed)) => {
      const kernel = new Kernel();
      const seen: [number, TruckObservation][] = [];
      const fleet = new TruckFleet(kernel, layout, streams, [{ ...base, ...truck }], (_, obs) => seen.push([kernel.now, obs]));
      return { kernel, fleet, seen, streams };
    };
    /** Drives yard ⇄ dock `legs` times, waiting out any repair; returns the breakdowns counted. */
    const shuttle = (fleet: TruckFleet, kernel: Kernel, legs: number) => {
      const places = ['yard', 'dock'];
      for (let i = 0; i < legs; i++) {
        fleet.drive('t', places[i % 2], places[(i + 1) % 2], `leg-${i}`);
        kernel.runUntil(Infinity);
      }
      return fleet.breakdowns;
    };

    it('never breaks down at rate 0, and draws nothing from the breakdown or repair streams', () => {
      const { kernel, fleet, seen, streams } = make({ breakdownRate: 0, repairTime: sampler({ dist: 'constant', value: 3600 }) });
      expect(shuttle(fleet, kernel, 50)).toBe(0);
      expect(seen.every(([, o]) => o.type === 'world.arrived')).toBe(true);
      expect(Object.keys(streams.snapshot())).toEqual([]);
    });

    it('never breaks down without random streams (the constructor without them)', () => {
      const kernel = new Kernel();
      const fleet = new TruckFleet(kernel, layout, [{ ...base, breakdownRate: 1000, repairTime: sampler({ dist: 'constant', value: 3600 }) }]);
      expect(shuttle(fleet, kernel, 20)).toBe(0);
    });

    it('breaks down at the place it drives to, after arriving, and is repaired after the repair time', () => {
      const { kernel, fleet, seen } = make({ breakdownRate: 1000, repairTime: sampler({ dist: 'constant', value: 7200 }) });
      const seconds = fleet.drive('t', 'yard', 'dock', 'pickup');
      kernel.runUntil(seconds + 1);
      expect(seen).toEqual([
        [seconds, { type: 'world.brokenDown', place: 'dock', time: seconds, until: seconds + 7200 }],
        [seconds, { type: 'world.arrived', place: 'dock', leg: 'pickup', time: seconds }],
      ]);
      expect(fleet.breakdowns).toBe(1);
      expect(fleet.isBroken('t')).toBe(true);
      expect(() => fleet.drive('t', 'dock', 'yard', 'return')).toThrow(/broken down/);
      kernel.runUntil(Infinity);
      expect(seen[2]).toEqual([seconds + 7200, { type: 'world.repaired', place: 'dock', time: seconds + 7200 }]);
      expect(fleet.isBroken('t')).toBe(false);
      // The broken leg was driven in full, and standing costs nothing: km, hours and cost as without breakdowns.
      const km = layout.distance('yard', 'dock') / 1000;
      expect(fleet.totals(kernel.now)).toEqual({ km, hours: seconds / 3600, cost: km * 2 + (seconds / 3600) * 36 });
      expect(fleet.drive('t', 'dock', 'yard', 'return')).toBe(seconds);
    });

    it('is broken already when told of its arrival: a drive in reaction to it throws', () => {
      const { kernel, fleet } = make({ breakdownRate: 1000, repairTime: sampler({ dist: 'constant', value: 60 }) });
      const errors: unknown[] = [];
      fleet.listener = (_, obs) => {
        if (obs.type !== 'world.arrived') return;
        try {
          fleet.drive('t', 'dock', 'yard', 'return');
        } catch (e) {
          errors.push(e);
        }
      };
      fleet.drive('t', 'yard', 'dock', 'pickup');
      kernel.runUntil(Infinity);
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/truck t is broken down until/);
    });

    it('breaks down on about 1 − exp(−rate · hours) of the legs', () => {
      const { kernel, fleet } = make({ breakdownRate: 2, repairTime: sampler({ dist: 'constant', value: 0 }) }, 3);
      const hours = layout.distance('yard', 'dock') / 10 / 3600;
      const legs = 2000;
      const p = 1 - Math.exp(-2 * hours);
      // ±5 standard errors.
      expect(Math.abs(shuttle(fleet, kernel, legs) / legs - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / legs));
    });

    it('draws one number per leg from trucks/<id>/breakdown and one per breakdown from trucks/<id>/repair, the same for the same seed', () => {
      const run = (seed: number) => {
        const { kernel, fleet, seen } = make({ breakdownRate: 1, repairTime: sampler({ dist: 'exponential', mean: 3600 }) }, seed);
        shuttle(fleet, kernel, 100);
        return seen;
      };
      expect(run(5)).toEqual(run(5));
      expect(run(5)).not.toEqual(run(6));

      const { kernel, fleet, streams } = make({ breakdownRate: 1, repairTime: sampler({ dist: 'exponential', mean: 3600 }) }, 5);
      const n = shuttle(fleet, kernel, 100);
      expect(n).toBeGreaterThan(0);
      const replay = new RandomStreams(5);
      const skip = (name: string, k: number) => {
        for (let i = 0; i < k; i++) replay.stream(name).next();
      };
      skip('trucks/t/breakdown', 100);
      skip('trucks/t/repair', n);
      expect(streams.snapshot()).toEqual(replay.snapshot());
    });

    it('refuses a truck that breaks down without a repair time', () => {
      expect(() => make({ breakdownRate: 0.1 })).toThrow(/no repair time/);
    });
  });
});
