import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { mutatedBytes, mutatedJson, outcome } from '../../../../test/support/fuzz.js';
import { encodeParams } from '../federated.js';
import type { Params } from '../tcn.js';
import { decodeMessage, encodeCall, encodeGlobal, encodeStats, encodeUpdate, MessageError, receive, type Message } from './messages.js';

/**
 * What travels in a federation (`decodeMessage`): any bytes off the broker
 * are a message whose header passed its schema and whose weights are
 * well-formed tensors of finite numbers, or a MessageError saying what is
 * wrong (which `receive` turns into a rejection); never another exception.
 * Every encoder's message decodes to what was encoded.
 */

const id = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/);
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v + 0);
const scaling = fc.integer({ min: 1, max: 5 }).chain((n) => fc.record({ min: fc.array(finite, { minLength: n, maxLength: n }), max: fc.array(finite, { minLength: n, maxLength: n }) }));
const tensorName = fc.oneof(fc.constantFrom('b0.conv1.w', 'b0.conv1.b', 'head.w', 'head.b'), fc.stringMatching(/^[a-z][a-z0-9.]{0,8}$/));
const params: fc.Arbitrary<Params> = fc
  .uniqueArray(fc.tuple(tensorName, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })), { selector: ([n]) => n, minLength: 1, maxLength: 4 })
  .chain((shapes) =>
    fc.tuple(...shapes.map(([name, shape]) => fc.float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1), noNaN: true, noDefaultInfinity: true }).map((data) => [name, { shape, data }] as const))),
  )
  .map((entries) => Object.fromEntries(entries));

/** A valid message and its bytes, from each encoder. */
const encoded: fc.Arbitrary<{ message: Message; bytes: Uint8Array }> = fc.oneof(
  fc.tuple(id, fc.integer({ min: 1, max: 100 })).map(([f, rounds]) => ({ message: { header: { type: 'call' as const, federation: f, rounds } }, bytes: encodeCall(f, rounds) })),
  fc.tuple(id, id, scaling).map(([f, site, s]) => {
    const sorted = { min: s.min.map((v, i) => Math.min(v, s.max[i])), max: s.min.map((v, i) => Math.max(v, s.max[i])) };
    return { message: { header: { type: 'stats' as const, federation: f, site, ...sorted } }, bytes: encodeStats(f, site, sorted) };
  }),
  fc.tuple(id, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.boolean(), scaling, params).map(([f, round, more, final, s, p]) => {
    const header = { federation: f, round, rounds: round + more, final, scaling: s };
    return { message: { header: { type: 'global' as const, ...header }, params: p }, bytes: encodeGlobal(header, p) };
  }),
  fc.tuple(id, id, fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 10 ** 6 }), params).map(([f, site, round, examples, p]) => {
    const header = { federation: f, site, round, examples };
    return { message: { header: { type: 'update' as const, ...header }, params: p }, bytes: encodeUpdate(header, p) };
  }),
);

/** A frame around any header and body, as a sender that skipped the encoders would write it. */
function frame(header: unknown, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) ?? '');
  const out = new Uint8Array(9 + json.length + body.length);
  out.set([0x48, 0x46, 0x46, 0x4c, 1], 0);
  new DataView(out.buffer).setUint32(5, json.length, true);
  out.set(json, 9);
  out.set(body, 9 + json.length);
  return out;
}

/** decodeMessage's answer: a message that keeps every promise of its type, or a MessageError. */
function expectDecoded(bytes: Uint8Array): Message | undefined {
  const r = outcome(() => decodeMessage(bytes), MessageError);
  const rec = receive('fed', bytes);
  if (!r.ok) return void expect(rec).toEqual({ reason: r.error.message });
  const m = r.value;
  expect(rec).toEqual(m.header.federation === 'fed' ? { message: m } : { reason: `federation "${m.header.federation}", this is "fed"` });
  if (m.header.type === 'stats') {
    expect(m.header.min.length).toBe(m.header.max.length);
    m.header.min.forEach((v, i) => expect(v).toBeLessThanOrEqual(m.header.type === 'stats' ? m.header.max[i] : 0));
  }
  if ('params' in m) {
    for (const [name, t] of Object.entries(m.params)) {
      for (const d of t.shape) expect(Number.isSafeInteger(d) && d >= 0, `${name} shape [${t.shape.join(', ')}]`).toBe(true);
      expect(t.data.length, name).toBe(t.shape.reduce((a, b) => a * b, 1));
      for (const v of t.data) expect(Number.isFinite(v)).toBe(true);
    }
    // What was decoded encodes to the same weights again.
    const again = decodeMessage(frame(m.header, encodeParams(m.params))) as { params: Params };
    expect(Object.keys(again.params)).toEqual(Object.keys(m.params));
  }
  return m;
}

describe('federation messages', () => {
  test.prop([encoded], { numRuns: 200 })('every encoder: decode(encode(m)) is m', ({ message, bytes }) => {
    const m = expectDecoded(bytes)!;
    expect(m.header).toEqual(message.header);
    if ('params' in message) {
      const got = (m as { params: Params }).params;
      expect(Object.keys(got)).toEqual(Object.keys(message.params));
      for (const [name, t] of Object.entries(message.params)) {
        expect(got[name].shape).toEqual(t.shape);
        expect(got[name].data).toEqual(t.data);
      }
    }
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 100 }), mutatedBytes(encoded.map((e) => e.bytes), 3))], { numRuns: 400 })('any bytes: a message keeping its promises, or a MessageError', (bytes) => {
    expectDecoded(bytes);
  });

  test.prop([encoded.chain(({ message, bytes }) => mutatedJson(fc.constant(message.header), 2).map((h) => frame(h, bytes.subarray(9 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(5, true)))))], { numRuns: 300 })(
    'a mangled header (strict schema): a message keeping its promises, or a MessageError',
    (bytes) => void expectDecoded(bytes),
  );

  test.prop([fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 40 })], { numRuns: 300 })('a weights body with any shapes header: well-formed tensors, or a MessageError', (shapes, data) => {
    const json = new TextEncoder().encode(JSON.stringify(shapes));
    const body = new Uint8Array(4 + json.length + data.length);
    new DataView(body.buffer).setUint32(0, json.length, true);
    body.set(json, 4);
    body.set(data, 4 + json.length);
    expectDecoded(frame({ type: 'update', federation: 'fed', site: 's', round: 1, examples: 1 }, body));
  });

  it('weights whose shapes header lies are refused (found by the property: negative, fractional and repeated dimensions or names were taken)', () => {
    const update = (shapes: unknown, floats: number) => {
      const json = new TextEncoder().encode(JSON.stringify(shapes));
      const body = new Uint8Array(4 + json.length + 4 * floats);
      new DataView(body.buffer).setUint32(0, json.length, true);
      body.set(json, 4);
      return frame({ type: 'update', federation: 'fed', site: 's', round: 1, examples: 1 }, body);
    };
    expect(() => decodeMessage(update([['w', [-1, -1]]], 1))).toThrow(new MessageError('weights do not decode: weights message: tensor w has shape [-1, -1]; dimensions are whole numbers ≥ 0'));
    expect(() => decodeMessage(update([['w', [0.5]]], 0))).toThrow(MessageError);
    expect(() => decodeMessage(update([['w', [1]], ['w', [1]]], 2))).toThrow(new MessageError('weights do not decode: weights message: tensor w is given twice'));
    expect(() => decodeMessage(update([['__proto__', [1]]], 1))).not.toThrow();
    expect(Object.keys((decodeMessage(update([['__proto__', [1]]], 1)) as { params: Params }).params)).toEqual(['__proto__']);
    expect(() => decodeMessage(update(5, 0))).toThrow(new MessageError('weights do not decode: weights message header is not a list of [name, shape]'));
  });
});
