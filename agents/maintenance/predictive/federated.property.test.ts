import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mutatedBytes, outcome } from '../../../test/support/fuzz.js';
import { decodeParams, encodeParams } from './federated.js';
import type { Params } from './tcn.js';

/**
 * The weights encoding of federated learning (`encodeParams`/`decodeParams`):
 * encode → decode is the identity, and any bytes decode to well-formed
 * tensors (whole non-negative dimensions whose product is the data length,
 * unique names) or a RangeError starting "weights message" (what
 * `decodeMessage` wraps into its MessageError); never another exception.
 */

const params: fc.Arbitrary<Params> = fc
  .uniqueArray(fc.tuple(fc.oneof(fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/), fc.constantFrom('__proto__', 'constructor', '')), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })), { selector: ([n]) => n, maxLength: 4 })
  .chain((shapes) =>
    fc.tuple(...shapes.map(([name, shape]) => fc.float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((data) => [name, { shape, data }] as const))),
  )
  .map((entries) => Object.fromEntries(entries));

describe('federated weights encoding', () => {
  test.prop([params], { numRuns: 200 })('encode → decode is the identity (names, order, shapes, every float bit, NaN included)', (p) => {
    const back = decodeParams(encodeParams(p));
    expect(Object.keys(back)).toEqual(Object.keys(p));
    for (const [name, t] of Object.entries(p)) {
      expect(back[name].shape).toEqual(t.shape);
      expect(Buffer.from(back[name].data.buffer).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
    }
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 80 }), mutatedBytes(params.map(encodeParams), 3))], { numRuns: 400 })('any bytes: well-formed tensors, or a RangeError saying what is wrong with the weights message', (bytes) => {
    const r = outcome(() => decodeParams(bytes), RangeError);
    if (!r.ok) return void expect(r.error.message).toMatch(/^weights message/);
    const seen = new Set<string>();
    for (const [name, t] of Object.entries(r.value)) {
      expect(seen.has(name)).toBe(false);
      seen.add(name);
      for (const d of t.shape) expect(Number.isSafeInteger(d) && d >= 0).toBe(true);
      expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
    }
  });
});
