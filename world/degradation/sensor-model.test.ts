import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/random/stream.js';
import type { FaultMode } from './degradation-spec.js';
import { noSeverities, relaxTemperature, SENSOR_CHANNELS, sensorReading, steadyTemperature, toMatrix, type SensorReading } from './sensor-model.js';
import { turbineSpec } from './test-fixtures.js';

const spec = turbineSpec();

/** The noise-free reading at full load, in thermal steady state, with one fault mode at wear w. */
function at(mode: FaultMode | undefined, w: number, load = 1): SensorReading {
  const s = noSeverities();
  if (mode) s[mode] = w;
  return sensorReading(spec, load, s, steadyTemperature(spec, load, s));
}

const healthy = at(undefined, 0);

describe('sensor model', () => {
  it('reads a healthy machine at full load as healthy', () => {
    expect(healthy.vibRms).toBeGreaterThan(0.7);
    expect(healthy.vibRms).toBeLessThan(2.3); // ISO 10816-3 zone A
    expect(healthy.vibKurtosis).toBeCloseTo(3, 6);
    expect(healthy.temperature).toBeCloseTo(spec.ambientC + spec.thermal.riseC, 6);
    expect(healthy.powerKw).toBeCloseTo(spec.ratedPowerKw, 6);
    expect(healthy.acousticDb).toBeGreaterThan(80);
    expect(healthy.acousticDb).toBeLessThan(90);
  });

  it('reads a stopped machine as quiet, cold and drawing nothing', () => {
    const off = at('bearing', 0.5, 0);
    expect(off.powerKw).toBe(0);
    expect(off.vibRms).toBeLessThan(0.1);
    expect(off.vibKurtosis).toBe(3);
    expect(off.temperature).toBe(spec.ambientC);
    expect(off.acousticDb).toBeCloseTo(50, 6);
    expect(at(undefined, 0, 0.3).vibRms).toBeLessThan(healthy.vibRms);
  });

  it('shows a bearing fault in kurtosis and bandBearing before RMS rises much', () => {
    const early = at('bearing', 0.1);
    expect(early.vibKurtosis).toBeGreaterThan(4.5);
    expect(early.bandBearing).toBeGreaterThan(5 * healthy.bandBearing);
    expect(early.vibRms).toBeLessThan(1.2 * healthy.vibRms);
    // Late: the damage spreads into broadband noise, RMS reaches zone D and kurtosis falls back.
    const late = at('bearing', 1);
    expect(late.vibRms).toBeGreaterThan(6);
    expect(late.vibKurtosis).toBeLessThan(at('bearing', 0.2).vibKurtosis);
    expect(late.acousticDb - healthy.acousticDb).toBeGreaterThan(8);
    expect(late.powerKw).toBeGreaterThan(healthy.powerKw * 1.05);
    expect(late.temperature).toBeGreaterThan(healthy.temperature + 10);
  });

  it('shows imbalance at 1× shaft speed only', () => {
    const r = at('imbalance', 0.5);
    expect(r.band1x).toBeGreaterThan(3 * healthy.band1x);
    expect(r.band2x).toBeCloseTo(healthy.band2x, 9);
    expect(r.bandBearing).toBeCloseTo(healthy.bandBearing, 9);
    expect(r.vibKurtosis).toBeCloseTo(3, 9);
    // Centrifugal: the same 1× whatever the load.
    expect(at('imbalance', 0.5, 0.4).band1x).toBeCloseTo(r.band1x, 9);
  });

  it('shows misalignment mostly at 2×', () => {
    const r = at('misalignment', 0.5);
    expect(r.band2x / healthy.band2x).toBeGreaterThan(2 * (r.band1x / healthy.band1x));
    expect(r.bandBearing).toBeCloseTo(healthy.bandBearing, 9);
  });

  it('shows a cooling fault in temperature but not in the vibration bands', () => {
    const r = at('cooling', 0.6);
    expect(r.temperature).toBeGreaterThan(healthy.temperature + 20);
    for (const k of ['vibRms', 'vibKurtosis', 'bandBearing', 'band1x', 'band2x', 'acousticDb'] as const) expect(r[k]).toBeCloseTo(healthy[k], 9);
  });

  it('lets a nearest-centroid classifier tell the fault modes apart from noisy samples', () => {
    const rng = new RandomStream('classify', 3);
    const modes: (FaultMode | undefined)[] = [undefined, 'bearing', 'imbalance', 'misalignment', 'cooling'];
    // Features relative to the healthy machine, on a log scale (what a model would use).
    const features = (r: SensorReading) => [
      Math.log(r.vibRms / healthy.vibRms),
      Math.log(r.vibKurtosis / 3),
      Math.log(r.bandBearing / healthy.bandBearing),
      Math.log(r.band1x / healthy.band1x),
      Math.log(r.band2x / healthy.band2x),
      (r.temperature - healthy.temperature) / 10,
    ];
    const noisy = (mode: FaultMode | undefined) => {
      const s = noSeverities();
      if (mode) s[mode] = 0.3;
      return features(sensorReading(spec, 1, s, steadyTemperature(spec, 1, s), rng));
    };
    const centroids = modes.map((m) => features(at(m, 0.3)));
    let correct = 0;
    for (let i = 0; i < 500; i++) {
      const truth = i % modes.length;
      const f = noisy(modes[truth]);
      const d = centroids.map((c) => c.reduce((sum, x, j) => sum + (x - f[j]) ** 2, 0));
      if (d.indexOf(Math.min(...d)) === truth) correct++;
    }
    expect(correct / 500).toBeGreaterThan(0.95);
  });

  it('adds seeded noise around the noise-free value, deterministically', () => {
    const s = noSeverities();
    s.bearing = 0.2;
    const draw = (seed: number) => {
      const rng = new RandomStream('m/sensor', seed);
      return Array.from({ length: 2000 }, () => sensorReading(spec, 0.8, s, 60, rng));
    };
    const a = draw(5);
    expect(draw(5)).toEqual(a);
    expect(draw(6)).not.toEqual(a);
    const exact = sensorReading(spec, 0.8, s, 60);
    const mean = (k: keyof SensorReading) => a.reduce((sum, r) => sum + r[k], 0) / a.length;
    const sd = (k: keyof SensorReading, m = mean(k)) => Math.sqrt(a.reduce((sum, r) => sum + (r[k] - m) ** 2, 0) / a.length);
    expect(mean('vibRms') / exact.vibRms).toBeCloseTo(1, 2);
    expect(mean('temperature')).toBeCloseTo(60, 1);
    expect(sd('temperature')).toBeCloseTo(spec.noise.temperature, 1);
    expect(sd('acousticDb')).toBeCloseTo(spec.noise.acoustic, 1);
    expect(sd('powerKw') / exact.powerKw).toBeCloseTo(spec.noise.power, 2);
    expect(a.every((r) => r.vibRms > 0 && r.bandBearing > 0 && r.vibKurtosis >= 1 && r.powerKw > 0)).toBe(true);
    expect(a.every((r) => r.load === 0.8)).toBe(true);
  });

  it('relaxes temperature exactly: two steps equal one', () => {
    const one = relaxTemperature(25, 70, 3000, 1800);
    expect(relaxTemperature(relaxTemperature(25, 70, 1000, 1800), 70, 2000, 1800)).toBeCloseTo(one, 10);
    expect(relaxTemperature(25, 70, 1800, 1800)).toBeCloseTo(70 - 45 / Math.E, 10);
    expect(relaxTemperature(25, 70, 0, 1800)).toBe(25);
  });

  it('lays samples out in SENSOR_CHANNELS order', () => {
    const m = toMatrix([healthy, at('cooling', 0.5)]);
    expect(m.length).toBe(2 * SENSOR_CHANNELS.length);
    expect(m[SENSOR_CHANNELS.indexOf('temperature')]).toBeCloseTo(healthy.temperature, 4);
    expect(m[SENSOR_CHANNELS.length + SENSOR_CHANNELS.indexOf('load')]).toBe(1);
  });
});
