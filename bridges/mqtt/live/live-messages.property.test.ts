import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { anyJson, mutatedBytes, mutatedJson, type Json } from '../../../test/support/fuzz.js';
import { validOf } from '../../../test/support/json-schema-arbitrary.js';
import { expectOneLine } from '../../../test/support/one-line.js';
import { AssignmentSchema, BacklogAckSchema, ClockSchema, encodeLive, FromHostSchema, HostStatusSchema, MAX_LIVE_BYTES, readLive, ToAgentSchema } from './live-messages.js';

/**
 * Hardened inputs: every live-link message (clock, host status with its
 * session, assignment, to-agent, from-host with the backlog, backlog ack)
 * goes through `readLive`. Whatever the bytes, it returns a value its schema
 * accepts, exactly as the schema reads the JSON, or a one-line reason; it
 * never throws.
 */

const SCHEMAS: Record<string, z.ZodType> = {
  clock: ClockSchema,
  status: HostStatusSchema,
  assignment: AssignmentSchema,
  toAgent: ToAgentSchema,
  fromHost: FromHostSchema,
  backlogAck: BacklogAckSchema,
};
const names = Object.keys(SCHEMAS);
const valid = new Map(names.map((k) => [k, validOf(SCHEMAS[k])]));
/** A schema's name and a value it accepts, as JSON holds it (a -0 is written as 0). */
const validMessage = fc.constantFrom(...names).chain((name) => valid.get(name)!.map((v) => ({ name, value: JSON.parse(JSON.stringify(v)) as Json })));

const utf8 = new TextEncoder();
const jsonOf = (bytes: Uint8Array): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
};

/** readLive's contract on one input. */
function check(name: string, bytes: Uint8Array): ReturnType<typeof readLive> {
  const schema = SCHEMAS[name];
  const r = readLive(schema, bytes);
  const json = bytes.byteLength <= MAX_LIVE_BYTES ? jsonOf(bytes) : { ok: false as const };
  const expected = json.ok ? schema.safeParse(json.value) : undefined;
  if (r.ok) {
    expect(expected?.success).toBe(true);
    expect(r.value).toEqual(expected!.data);
    // What was read reads back as itself, as JSON holds it: a -0 (which JSON.parse also makes of a tiny
    // negative such as -1e-400, e.g. from a flipped exponent digit) is written as 0.
    expect(readLive(schema, encodeLive(r.value))).toEqual({ ok: true, value: JSON.parse(JSON.stringify(r.value)) as unknown });
  } else {
    expect(r.reason).toMatch(/\S/);
    expectOneLine(r.reason);
    if (expected) expect(expected.success).toBe(false);
  }
  return r;
}

describe('live-link messages, hardened', () => {
  test.prop([validMessage], { numRuns: 200 })('round trip: every schema, a valid message encoded reads back as the schema reads it', ({ name, value }) => {
    const r = check(name, encodeLive(value));
    expect(r).toEqual({ ok: true, value: SCHEMAS[name].parse(value) });
  });

  test.prop([validMessage.chain(({ name, value }) => mutatedJson(fc.constant(value), 3).map((m) => ({ name, m })))], { numRuns: 300 })(
    'a valid message with fields deleted, replaced, added or retyped: accepted as the schema says, or a one-line reason',
    ({ name, m }) => void check(name, utf8.encode(JSON.stringify(m) ?? 'undefined')),
  );

  test.prop([validMessage.chain(({ name, value }) => mutatedBytes(fc.constant(encodeLive(value)), 3).map((b) => ({ name, b })))], { numRuns: 200 })(
    'a valid message with bits flipped, bytes set, inserted or zeroed, or truncated',
    ({ name, b }) => void check(name, b),
  );

  test.prop([fc.constantFrom(...names), fc.oneof(fc.uint8Array({ maxLength: 200 }), anyJson.map((v) => utf8.encode(JSON.stringify(v))))], { numRuns: 200 })('arbitrary bytes and any JSON value: a value or a one-line reason', (name, bytes) => {
    check(name, bytes);
  });

  it('a backlog over its record limit, a status session over 64 characters, a negative ack: refused naming the field', () => {
    const rec = { id: 'j:0', seq: 0, wallMs: 0, t: 0, type: 'link.lost' };
    const backlog = { kind: 'backlog', host: 'h', journal: 'j', records: Array.from({ length: 201 }, (_, seq) => ({ ...rec, seq, id: `j:${seq}` })) };
    expect(check('fromHost', encodeLive(backlog))).toEqual({ ok: false, reason: expect.stringMatching(/^records: /) });
    expect(check('fromHost', encodeLive({ ...backlog, records: [] }))).toEqual({ ok: false, reason: expect.stringMatching(/^records: /) });
    expect(check('status', encodeLive({ state: 'offline', session: 'x'.repeat(65) }))).toEqual({ ok: false, reason: expect.stringMatching(/^session: /) });
    expect(check('backlogAck', encodeLive({ journal: 'j', upTo: -1 }))).toEqual({ ok: false, reason: expect.stringMatching(/^upTo: /) });
  });

  it('refuses a payload over the size limit before reading it', () => {
    expect(check('clock', new Uint8Array(MAX_LIVE_BYTES + 1).fill(0x20))).toEqual({ ok: false, reason: `payload of ${MAX_LIVE_BYTES + 1} bytes exceeds ${MAX_LIVE_BYTES}` });
  });
});
