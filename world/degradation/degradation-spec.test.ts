import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bandCentresHz, DegradationSpecSchema, Rate } from './degradation-spec.js';
import { turbineSpec } from './test-fixtures.js';

const DAY = 86400;

/** The issues of a failed parse as `path: message` lines. */
function issues(raw: unknown): string[] {
  const r = DegradationSpecSchema.safeParse(raw);
  expect(r.success).toBe(false);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const bearing = { id: 'bearing', onset: { dist: 'weibull', shape: 2.5, scale: '20d' }, progression: { rate: '0.02/d' } };

describe('degradation spec', () => {
  it('parses the turbine example: durations, rates, modes and defaults', () => {
    const s = turbineSpec();
    expect(s.ratedPowerKw).toBe(250);
    expect(s.thermal).toEqual({ riseC: 45, timeConstant: 1800 });
    const [b, r, c] = s.components;
    expect(b.mode).toBe('bearing');
    expect(b.onset).toEqual({ dist: 'weibull', shape: 2.5, scale: 20 * DAY });
    expect(b.progression.rate).toBeCloseTo(0.02 / DAY, 15);
    expect(b.progression.loadExponent).toBe(3);
    expect(b.failAt).toBe(1);
    expect(r.mode).toBe('imbalance');
    expect(c.failAt).toBe(0.8);
    expect(bandCentresHz(s)).toEqual({ band1x: 25, band2x: 50, bandBearing: 90 });
  });

  it('fills defaults for everything but the components', () => {
    const s = DegradationSpecSchema.parse({ components: [bearing] });
    expect(s).toMatchObject({ ratedSpeedRpm: 1500, bpfoOrder: 3.6, ratedPowerKw: 100, ambientC: 25 });
    expect(s.thermal).toEqual({ riseC: 45, timeConstant: 1800 });
    expect(s.noise).toEqual({ vibration: 0.05, temperature: 0.4, power: 0.01, acoustic: 0.3 });
    expect(s.components[0].progression).toMatchObject({ exponent: 1.8, initial: 0.2, loadExponent: 1 });
  });

  it('reads rates as numbers per second or number/unit', () => {
    expect(Rate.parse(0.001)).toBe(0.001);
    expect(Rate.parse('0.5/h')).toBeCloseTo(0.5 / 3600, 15);
    expect(Rate.parse('3 / w')).toBeCloseTo(3 / (7 * DAY), 15);
    expect(Rate.safeParse('fast').success).toBe(false);
    expect(Rate.safeParse('1/fortnight').success).toBe(false);
  });

  it('rejects a negative rate at its path', () => {
    expect(issues({ components: [{ ...bearing, progression: { rate: '-0.08/d' } }] })).toEqual([
      'components.0.progression.rate: rate must be positive, got -0.08/d',
    ]);
    expect(issues({ components: [{ ...bearing, progression: { rate: -1 } }] })[0]).toMatch(/^components\.0\.progression\.rate: rate must be positive/);
  });

  it('locates bad durations, unknown modes, duplicates and out-of-range values', () => {
    expect(issues({ components: [{ ...bearing, onset: { dist: 'weibull', shape: 2, scale: 'soon' } }] })[0]).toMatch(/^components\.0\.onset\.scale: "soon" is not a duration/);
    expect(issues({ components: [bearing, { ...bearing, id: 'rotor-balance' }] })).toEqual([
      'components.1.mode: give the fault mode of "rotor-balance" (one of bearing, imbalance, misalignment, cooling)',
    ]);
    expect(issues({ components: [bearing, bearing] })).toEqual(['components.1.id: component "bearing" is listed twice']);
    expect(issues({ components: [{ ...bearing, failAt: 1.5 }] })[0]).toMatch(/^components\.0\.failAt:/);
    expect(issues({ components: [{ ...bearing, progression: { rate: 1, exponent: -1 } }] })[0]).toMatch(/^components\.0\.progression\.exponent:/);
    expect(issues({ components: [] })[0]).toMatch(/^components:/);
    expect(issues({ components: [bearing], thermal: { timeConstant: '1 fortnight' } })[0]).toMatch(/^thermal\.timeConstant:/);
    expect(issues({ components: [bearing], noise: { vibration: -0.1 } })[0]).toMatch(/^noise\.vibration:/);
    expect(issues({ components: [bearing], rpm: 3000 })[0]).toMatch(/rpm/);
  });

  it('documents its fields', () => {
    const json = JSON.stringify(z.toJSONSchema(DegradationSpecSchema, { io: 'input', unrepresentable: 'any' }));
    for (const word of ['Paris-law', 'BPFO', 'equivalent full-load time', 'thermal time constant']) expect(json).toContain(word);
  });
});
