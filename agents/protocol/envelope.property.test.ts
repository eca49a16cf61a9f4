import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { anyJson, mutatedJson, type Json } from '../../test/support/fuzz.js';
import { validOf } from '../../test/support/json-schema-arbitrary.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { decodeEnvelope, EnvelopeSchema, type DecodeResult } from './envelope.js';
import { PayloadSchemas, type MessageType } from './messages.js';

/**
 * Hardened inputs: `decodeEnvelope` takes whatever JSON another process
 * sent. It never throws; it returns an envelope that its schema and its
 * payload's schema accept, or a one-line reason that names the field.
 */

const types = Object.keys(PayloadSchemas) as MessageType[];
const id = fc.string({ minLength: 1, maxLength: 30 });

const payloads = new Map(types.map((t) => [t, validOf(PayloadSchemas[t])]));

/** An envelope of any catalogued type, with a payload valid for it. */
const validEnvelope = fc.constantFrom(...types).chain((type) =>
  fc.record(
    {
      id,
      time: fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
      wallTime: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      from: id,
      to: id,
      conversation: id,
      type: fc.constant(type),
      payload: payloads.get(type)!,
      signature: fc.uint8Array({ minLength: 65, maxLength: 65 }).map((b) => `0x${Buffer.from(b).toString('hex')}`),
    },
    { requiredKeys: ['id', 'time', 'from', 'to', 'conversation', 'type', 'payload'] },
  ),
);

/** Field names as a sender may make them: line breaks, NULs, quotes, dots, any code point. */
const oddKeys = fc.dictionary(
  fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u0000', '\u2028', '"', '.', 'a'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 6 }),
  fc.jsonValue({ maxDepth: 1 }),
  { minKeys: 1, maxKeys: 3 },
);

/** The wire: envelopes cross processes as JSON text. */
const overTheWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

/** The decoder's contract on one input. */
function check(raw: unknown): DecodeResult {
  const r = decodeEnvelope(raw);
  if (r.ok) {
    // What it returns is what both schemas accept, unchanged by a second pass.
    expect(EnvelopeSchema.safeParse(r.envelope).success).toBe(true);
    expect(PayloadSchemas[r.envelope.type].safeParse(r.envelope.payload).success).toBe(true);
    expect(decodeEnvelope(overTheWire(r.envelope))).toEqual(overTheWire(r));
  } else {
    expect(r.reason).toMatch(/\S/);
    expectOneLine(r.reason);
    // Names where: a field's path (odd keys quoted), the envelope as a whole, or the message type.
    const path = String.raw`(\(envelope\)|([A-Za-z_$][\w$-]*|\[("(\\.|[^"\\])*"|\d+)\])(\.[A-Za-z_$][\w$-]*|\[("(\\.|[^"\\])*"|\d+)\])*)`;
    expect(r.reason).toMatch(new RegExp(`^(${path}|payload of [a-z][a-z0-9.-]*: ${path}): `));
  }
  return r;
}

describe('envelope decoder, hardened', () => {
  test.prop([validEnvelope], { numRuns: 300 })('accepts every valid envelope, and encode → decode is the identity', (env) => {
    // (JSON itself changes nothing but -0, which it writes as 0.)
    const sent = overTheWire(env) as typeof env;
    const r = check(sent);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // Defaults filled in (a customer order's priority) are the only change.
    const { payload, ...rest } = r.envelope;
    expect(rest).toEqual(Object.fromEntries(Object.entries(sent).filter(([k]) => k !== 'payload')));
    expect(payload).toEqual(PayloadSchemas[env.type].parse(sent.payload));
  });

  test.prop([mutatedJson(validEnvelope, 3)], { numRuns: 300 })('a valid envelope with fields deleted, replaced, added or retyped: an envelope, or a reason naming the field', (raw) => {
    check(raw);
  });

  test.prop([validEnvelope, oddKeys, fc.boolean()], { numRuns: 200 })('unknown fields with any names, in the envelope or its payload: refused on one line', (env, extra, inPayload) => {
    const r = check(overTheWire(inPayload ? { ...env, payload: { ...extra, ...(env.payload as Record<string, unknown>) } } : { ...extra, ...env }));
    if (!inPayload && Object.keys(extra).some((k) => !(k in env))) expect(r.ok).toBe(false);
  });

  test.prop([validEnvelope, fc.constantFrom(...types)], { numRuns: 200 })('a payload sent under another type: accepted only if that type accepts it', (env, other) => {
    const r = check(overTheWire({ ...env, type: other }));
    expect(r.ok).toBe(PayloadSchemas[other].safeParse(env.payload).success);
  });

  test.prop([fc.oneof(anyJson, fc.anything({ maxDepth: 3 }))], { numRuns: 300 })('anything at all: never throws', (raw) => {
    check(raw);
  });

  test.prop([fc.string({ maxLength: 40 })], { numRuns: 200 })('any type name: a catalogued type, or refused naming the type', (type) => {
    const r = check({ id: 'a', time: 0, from: 'a', to: 'b', conversation: 'c', type, payload: {} });
    if (!r.ok) expect(r.reason).toMatch(/^type: /);
  });

  it('quotes a record key that is not a plain name (was "components.: …", which names no field)', () => {
    const r = check({ id: 'a', time: 0, from: 'a', to: 'b', conversation: 'c', type: 'maintenance.prediction', payload: { machine: 'm', rulHours: 0, failureProbability: 0, horizonHours: 1, components: { '': null } } });
    expect(r).toEqual({ ok: false, reason: 'payload of maintenance.prediction: components[""]: Invalid input: expected number, received null' });
  });

  it('quotes unknown field names, so a reason stays one line (was zod\'s raw "Unrecognized key: …")', () => {
    const r = check({ id: 'a', time: 0, from: 'a', to: 'b', conversation: 'c', type: 'parts.cfp', payload: {}, 'x\nforged': 1 });
    expect(r).toEqual({ ok: false, reason: '(envelope): unknown field "x\\nforged"' });
  });

  it('keeps a "__proto__" key of a JSON payload as data, never as the prototype', () => {
    const raw = JSON.parse('{"id":"a","time":0,"from":"a","to":"b","conversation":"c","type":"parts.cfp","payload":{"bidWindowSeconds":1,"round":1,"spec":{"__proto__":{"polluted":true}}}}') as Json;
    const r = check(raw);
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.envelope.payload as { spec: Record<string, unknown> }).spec.polluted).toBeUndefined();
  });
});
