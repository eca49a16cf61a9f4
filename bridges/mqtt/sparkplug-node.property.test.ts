import { fc, test } from '@fast-check/vitest';
import { get as getSparkplug } from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { mutatedBytes } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { readNodeCommand, REBIRTH_METRIC } from './sparkplug-node.js';

/**
 * Hardened inputs: any client of the broker may publish an NCMD to the
 * node. Whatever its bytes, the node reads a rebirth request or refuses the
 * command with a one-line reason; it never throws.
 */

const sparkplug = getSparkplug('spBv1.0')!;

type Metric = { name: string; type: 'Boolean' | 'Double' | 'Int32' | 'UInt64' | 'String'; value: boolean | number | string };

const metric: fc.Arbitrary<Metric> = fc.oneof(
  fc.record({ name: fc.constantFrom(REBIRTH_METRIC, 'Node Control/Next Server', 'Node Control/Reboot'), type: fc.constant('Boolean' as const), value: fc.boolean() }),
  fc.record({ name: fc.constantFrom(REBIRTH_METRIC, 'bdSeq'), type: fc.constant('Int32' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  fc.record({ name: fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u0000', '\u2028', '"'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 }), type: fc.constant('Double' as const), value: fc.double({ noNaN: true }) }),
  fc.record({ name: fc.string({ maxLength: 30 }), type: fc.constant('UInt64' as const), value: fc.nat() }),
  fc.record({ name: fc.string({ maxLength: 30 }), type: fc.constant('String' as const), value: fc.string({ maxLength: 30 }) }),
);
const command = fc.record({ timestamp: fc.nat(), metrics: fc.array(metric, { maxLength: 6 }), seq: fc.nat(255) }, { requiredKeys: ['timestamp', 'metrics'] });
const encoded = command.map((c) => sparkplug.encodePayload(c));

/** The reader's contract on one payload. */
function check(bytes: Uint8Array): ReturnType<typeof readNodeCommand> {
  const r = readNodeCommand(bytes);
  if (!r.rebirth) {
    expect(r.problem).toMatch(/^NCMD (does not decode|with nothing this node does)/);
    expectOneLine(r.problem);
    expect(r.problem.length).toBeLessThanOrEqual(1000);
  }
  return r;
}

describe('Sparkplug NCMD reader, hardened', () => {
  test.prop([command], { numRuns: 300 })('round trip: a command encoded by the codec decodes to its metrics, and a rebirth is a Boolean true', (c) => {
    const decoded = sparkplug.decodePayload(sparkplug.encodePayload(c));
    expect((decoded.metrics ?? []).map((m) => ({ name: m.name, type: m.type, value: typeof m.value === 'object' && m.value !== null ? Number(m.value) : m.value }))).toEqual(c.metrics);
    expect(check(sparkplug.encodePayload(c)).rebirth).toBe(c.metrics.some((m) => m.name === REBIRTH_METRIC && m.type === 'Boolean' && m.value === true));
  });

  test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 300 })('random bytes: never throws', (bytes) => {
    check(bytes);
  });

  test.prop([mutatedBytes(encoded, 4)], { numRuns: 300 })('truncated and bit-flipped commands: never throws', (bytes) => {
    check(bytes);
  });

  it('keeps the reason one line when metric names hold line breaks (they come from any client; was two lines)', () => {
    const bytes = sparkplug.encodePayload({ timestamp: 0, metrics: [{ name: 'a\nsparkplug: forged line', type: 'Boolean', value: true }] });
    expect(check(bytes)).toEqual({ rebirth: false, problem: 'NCMD with nothing this node does (metrics: "a\\nsparkplug: forged line")' });
    // Found by the bit-flip property: a flipped byte puts a line feed, then a U+2028, in a metric name.
    check(Uint8Array.from([8, 0, 18, 15, 10, 2, 10, 32, 32, 10, 105, 0, 0, 0, 0, 0, 0, 0, 0, 24, 0]));
    check(Uint8Array.from([9, 0, 18, 16, 10, 3, 226, 128, 168, 32, 10, 105, 0, 0, 0, 0, 0, 0, 0, 0]));
  });

  it('bounds the reason when a command names thousands of metrics', () => {
    const metrics = Array.from({ length: 5000 }, (_, i) => ({ name: `m-${i}`, type: 'Boolean' as const, value: false }));
    check(sparkplug.encodePayload({ timestamp: 0, metrics }));
  });
});
