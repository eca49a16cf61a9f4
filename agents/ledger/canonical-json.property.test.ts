import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { canonicalJson } from './canonical-json.js';

/**
 * Hashes and signatures are made over the canonical JSON of a value in
 * memory and checked over the value read from the wire: both must give the
 * same text. -0, Dates (toJSON), array holes and undefined properties are
 * where a hand-written serialiser drifts from JSON.
 */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constant(-0),
    fc.date({ noInvalidDate: true }),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.sparseArray(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('canonical JSON', () => {
  test.prop([jsonish.filter((v) => v !== undefined)], { numRuns: 500 })('of a value is the canonical JSON of that value sent as JSON', (value) => {
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
  });

  test.prop([jsonish.filter((v) => v !== undefined)], { numRuns: 300 })('is JSON that reads back as JSON.stringify would have it', (value) => {
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  test('examples: sorted keys, holes and undefined as null in arrays, a Date as its ISO text, -0 as 0', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(canonicalJson({ b: [1, , undefined, -0], a: new Date(0), c: undefined })).toBe('{"a":"1970-01-01T00:00:00.000Z","b":[1,null,null,0]}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('canonical JSON cannot hold the number NaN');
  });
});
