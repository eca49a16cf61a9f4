import { describe, expect, it } from 'vitest';
import { Kernel } from '../../sim/clock/kernel.js';
import { RandomStreams } from '../../sim/random/streams.js';
import { DegradingMachine } from './degrading-machine.js';
import { fleetHistories } from './fleet-histories.js';
import { turbineSpec } from './test-fixtures.js';

const HOUR = 3600;
const DAY = 86400;
const spec = turbineSpec();

describe('fleet histories', () => {
  it('runs every machine to failure with the true RUL at each sample', () => {
    const fleet = fleetHistories(spec, { machines: 20, seed: 1 });
    expect(fleet.map((h) => h.machine)).toEqual(Array.from({ length: 20 }, (_, i) => `m-${i + 1}`));
    for (const h of fleet) {
      expect(h.failure).toBeDefined();
      const { time } = h.failure!;
      expect(h.samples[0].t).toBe(0);
      expect(h.samples.at(-1)!.t).toBeLessThan(time);
      expect(h.samples.at(-1)!.t + HOUR).toBeGreaterThanOrEqual(time);
      h.samples.forEach((s, k) => {
        expect(s.t).toBe(k * HOUR);
        expect(h.rul[k]).toBeCloseTo(time - s.t, 6);
      });
    }
    // Every component fails somewhere in a fleet of twenty.
    expect(new Set(fleet.map((h) => h.failure!.component))).toEqual(new Set(['bearing', 'rotor-balance', 'cooling']));
  });

  it('is deterministic by seed', () => {
    const opts = { machines: 5, load: { min: 0.3, max: 1, segment: 8 * HOUR, stopProbability: 0.2 } };
    const a = fleetHistories(spec, { ...opts, seed: 7 });
    expect(fleetHistories(spec, { ...opts, seed: 7 })).toEqual(a);
    expect(fleetHistories(spec, { ...opts, seed: 8 })).not.toEqual(a);
  });

  it('agrees with a kernel-driven machine on the same streams', () => {
    const [h] = fleetHistories(spec, { machines: 1, seed: 3, load: 0.7 });
    const kernel = new Kernel();
    const streams = new RandomStreams(3);
    const m = new DegradingMachine('m-1', spec, kernel, { onset: (c) => streams.stream(`m-1/onset/${c}`), sensor: streams.stream('m-1/sensor') });
    m.setLoad(0.7);
    expect(m.nextFailure()).toEqual(h.failure);
    const samples = h.samples.slice(0, 50).map((s) => {
      kernel.runUntil(s.t);
      return m.sample();
    });
    expect(samples).toEqual(h.samples.slice(0, 50));
  });

  it('follows a seeded load profile with stops', () => {
    const fleet = fleetHistories(spec, { machines: 30, seed: 2, load: { min: 0.5, max: 1, segment: 12 * HOUR, stopProbability: 0.25 } });
    const samples = fleet.flatMap((h) => h.samples);
    expect(samples.some((s) => s.load === 0)).toBe(true);
    expect(samples.every((s) => s.load === 0 || (s.load >= 0.5 && s.load <= 1))).toBe(true);
    expect(samples.filter((s) => s.load === 0).every((s) => s.powerKw === 0)).toBe(true);
    expect(fleet.every((h) => h.failure !== undefined)).toBe(true);
    // Stops do not wear: the fleet lives longer than at constant full load.
    const life = (f: typeof fleet) => f.reduce((sum, h) => sum + h.failure!.time, 0) / f.length;
    expect(life(fleet)).toBeGreaterThan(life(fleetHistories(spec, { machines: 30, seed: 2 })));
  });

  it('shows the failing component in the last samples', () => {
    const fleet = fleetHistories(spec, { machines: 40, seed: 5 });
    const last = (component: string) => fleet.filter((h) => h.failure!.component === component).map((h) => h.samples.at(-1)!);
    for (const s of last('cooling')) expect(s.temperature).toBeGreaterThan(100);
    for (const s of last('rotor-balance')) expect(s.band1x).toBeGreaterThan(4);
    for (const s of last('bearing')) expect(s.bandBearing).toBeGreaterThan(2);
    expect(last('bearing').length * last('cooling').length * last('rotor-balance').length).toBeGreaterThan(0);
  });

  it('censors a machine that cannot fail within maxDuration', () => {
    const [h] = fleetHistories(spec, { machines: 1, seed: 1, load: 0, maxDuration: 2 * DAY });
    expect(h.failure).toBeUndefined();
    expect(h.samples).toHaveLength(49);
    expect(Number.isNaN(h.rul[0])).toBe(true);
    expect(() => fleetHistories(spec, { machines: 1, seed: 1, load: { min: 0.5, max: 2, segment: HOUR } })).toThrow(RangeError);
  });

  it('generates a few hundred run-to-failure histories quickly', () => {
    const t0 = performance.now();
    const fleet = fleetHistories(spec, { machines: 200, seed: 11, load: { min: 0.4, max: 1, segment: 8 * HOUR, stopProbability: 0.1 } });
    const elapsed = performance.now() - t0;
    const samples = fleet.reduce((n, h) => n + h.samples.length, 0);
    expect(samples).toBeGreaterThan(100_000);
    expect(elapsed).toBeLessThan(15_000); // generous: a slow CI box; typically well under a second
  });
});
