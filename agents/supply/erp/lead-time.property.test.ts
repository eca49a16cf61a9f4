import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { DistributionSchema } from '../../../sim/random/distributions.js';
import { anyJson, nastyToken } from '../../../test/support/fuzz.js';
import { LeadTime, parseLeadTimeText } from './lead-time.js';

/**
 * Lead times as an ERP export writes them (`parseLeadTimeText`, the
 * `LeadTime` schema): any cell or JSON value is a distribution of finite
 * seconds, or refused with a message; never a throw. Formatting a
 * distribution as the text an ERP writes and reading it back gives it again.
 */

const NAMES = ['constant', 'exponential', 'uniform', 'triangular', 'normal', 'lognormal', 'weibull'];
const UNITS = ['s', 'm', 'h', 'd', 'w', 'ms', 'min', ''];
const arg = fc.oneof(
  fc.tuple(fc.nat({ max: 1000 }), fc.constantFrom(...UNITS)).map(([n, u]) => `${n}${u}`),
  fc.double({ min: 0, max: 100, noNaN: true }).map(String),
  nastyToken,
  fc.string({ maxLength: 6 }),
);
const call = fc.tuple(fc.oneof(fc.constantFrom(...NAMES, 'Normal', 'gamma', 'constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty'), fc.stringMatching(/^[a-z]{1,8}$/)), fc.array(arg, { maxLength: 4 }), fc.constantFrom(',', ', ', ' ,')).map(
  ([name, args, sep]) => `${name}(${args.join(sep)})`,
);
const cell = fc.oneof(call, arg, fc.string({ maxLength: 20 }));

function expectLeadTime(raw: unknown): void {
  const r = LeadTime.safeParse(raw);
  if (!r.success) {
    for (const issue of r.error.issues) expect(issue.message.trim()).not.toBe('');
    return;
  }
  expect(DistributionSchema.safeParse(r.data).success).toBe(true);
  for (const v of Object.values(r.data)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
}

/** Distributions in whole seconds, as the text names them. */
const distribution = fc.oneof(
  fc.nat({ max: 10 ** 7 }).map((value) => ({ dist: 'constant', value })),
  fc.integer({ min: 1, max: 10 ** 7 }).map((mean) => ({ dist: 'exponential', mean })),
  fc.tuple(fc.nat({ max: 10 ** 6 }), fc.nat({ max: 10 ** 6 })).map(([a, b]) => ({ dist: 'uniform', min: Math.min(a, b), max: Math.max(a, b) })),
  fc.tuple(fc.nat({ max: 10 ** 6 }), fc.nat({ max: 10 ** 6 }), fc.nat({ max: 10 ** 6 })).map((v) => v.sort((a, b) => a - b)).map(([min, mode, max]) => ({ dist: 'triangular', min, mode, max })),
  fc.tuple(fc.nat({ max: 10 ** 6 }), fc.nat({ max: 10 ** 5 })).map(([mean, sd]) => ({ dist: 'normal', mean, sd })),
  fc.tuple(fc.integer({ min: 1, max: 10 ** 6 }), fc.nat({ max: 10 ** 5 })).map(([mean, sd]) => ({ dist: 'lognormal', mean, sd })),
  fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 10 ** 6 })).map(([shape, scale]) => ({ dist: 'weibull', shape: shape / 10, scale })),
);
const ORDER: Record<string, string[]> = { constant: ['value'], exponential: ['mean'], uniform: ['min', 'max'], triangular: ['min', 'mode', 'max'], normal: ['mean', 'sd'], lognormal: ['mean', 'sd'], weibull: ['shape', 'scale'] };

/** The text an ERP writes: seconds with a unit (whole days and hours where they fit), weibull's shape a bare number. */
function format(d: Record<string, unknown>, unit: boolean): string {
  const dur = (s: number) => (!unit ? `${s}` : s % 86400 === 0 && s > 0 ? `${s / 86400}d` : s % 3600 === 0 && s > 0 ? `${s / 3600}h` : `${s}s`);
  const args = ORDER[d.dist as string].map((k) => (k === 'shape' ? String(d[k]) : dur(d[k] as number)));
  return `${d.dist as string}(${args.join(', ')})`;
}

describe('ERP lead times', () => {
  test.prop([cell], { numRuns: 400 })('any cell text: a distribution of finite seconds, or refused with a message', (text) => {
    const p = parseLeadTimeText(text);
    if (!p.ok) expect(p.message).toMatch(/\S/);
    expectLeadTime(text);
  });

  test.prop([fc.oneof(anyJson, distribution, fc.dictionary(fc.constantFrom('dist', 'value', 'mean', 'sd', 'min', 'max', 'mode', 'shape', 'scale'), fc.oneof(arg, fc.double(), fc.constantFrom(...NAMES))))], { numRuns: 300 })(
    'any JSON value (erp.json, the API): a distribution of finite seconds, or refused',
    expectLeadTime,
  );

  test.prop([distribution, fc.boolean()], { numRuns: 300 })('format → parse round trips (with units or bare seconds)', (d, unit) => {
    const text = format(d, unit);
    expect(LeadTime.parse(text)).toEqual(d);
    if (d.dist === 'constant') expect(LeadTime.parse(unit ? format(d, true).slice('constant('.length, -1) : String((d as { value: number }).value))).toEqual(d);
  });

  it('a distribution named like a property of every object is unknown (found by the property: "constructor()" threw a TypeError, params.join is not a function)', () => {
    for (const name of ['constructor', 'Constructor', 'CONSTRUCTOR']) {
      expect(parseLeadTimeText(`${name}(3d)`)).toEqual({ ok: false, message: `unknown distribution "${name}" (one of ${NAMES.join(', ')})` });
      expect(parseLeadTimeText(`${name}()`).ok).toBe(false);
      expect(LeadTime.safeParse(`${name}(1)`).success).toBe(false);
    }
  });
});
