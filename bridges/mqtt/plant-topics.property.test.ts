import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { anyJson, mutatedBytes, mutatedJson } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { CommandMessageSchema, MAX_COMMAND_BYTES, parseCommandMessage, plantTopics, PLANT_TOPIC_ROOT } from './plant-topics.js';
import { topicMatches, topicProblem } from './topic-filter.js';

/**
 * Hardened inputs: the plant's command topic takes bytes from any client.
 * `parseCommandMessage` returns a command its schema accepts, or a one-line
 * reason naming the field, with the sender's id echoed when it gave one; it
 * never throws.
 */

const utf8 = new TextEncoder();
const encode = (v: unknown) => utf8.encode(JSON.stringify(v));

const verb = fc.oneof(
  fc.record({ verb: fc.constant('move'), cobot: fc.string({ minLength: 1, maxLength: 12 }), place: fc.string({ minLength: 1, maxLength: 12 }) }),
  fc.record({ verb: fc.constantFrom('pause', 'resume', 'charge'), cobot: fc.string({ minLength: 1, maxLength: 12 }) }),
);
const validCommand = fc.oneof(
  fc.record({ id: fc.string({ minLength: 1, maxLength: 64 }), text: fc.string({ minLength: 1, maxLength: 500 }) }, { requiredKeys: ['text'] }),
  // `command` is checked by the plant, not here: any JSON value passes this decoder.
  fc.record({ id: fc.string({ minLength: 1, maxLength: 64 }), command: fc.oneof(verb, anyJson) }, { requiredKeys: ['command'] }),
);

function check(bytes: Uint8Array): ReturnType<typeof parseCommandMessage> {
  const r = parseCommandMessage(bytes);
  if (r.ok) {
    expect(CommandMessageSchema.safeParse(r.message).success).toBe(true);
    expect((r.message.text === undefined) !== (r.message.command === undefined)).toBe(true);
  } else {
    expect(r.reason).toMatch(/\S/);
    expectOneLine(r.reason);
    if (r.id !== undefined) expect(r.id.length).toBeLessThanOrEqual(64);
  }
  return r;
}

describe('plant command decoder, hardened', () => {
  test.prop([validCommand], { numRuns: 300 })('round trip: a valid command encoded as JSON decodes to itself', (m) => {
    expect(check(encode(m))).toEqual({ ok: true, message: JSON.parse(JSON.stringify(m)) });
  });

  test.prop([mutatedJson(validCommand, 3)], { numRuns: 300 })('a valid command with fields deleted, replaced, added or retyped: a command, or a reason with the sender’s id', (raw) => {
    const r = check(encode(raw));
    if (!r.ok && r.reason.startsWith('payload of')) return;
    const id = raw && typeof raw === 'object' && !Array.isArray(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    if (!r.ok && id) expect(r.id).toBe(id.slice(0, 64));
  });

  test.prop([validCommand, fc.dictionary(fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\r', '\u0000', '\u2028', '"', '\\'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 8 }), anyJson, { minKeys: 1, maxKeys: 3 })], { numRuns: 200 })(
    'unknown fields with any names: refused naming them, on one line',
    (m, extra) => {
      const r = check(encode({ ...extra, ...m }));
      if (Object.keys(extra).some((k) => !(k in m))) expect(r.ok).toBe(false);
    },
  );

  test.prop([mutatedBytes(validCommand.map(encode), 3)], { numRuns: 300 })('truncated and corrupted payloads: never a throw', (bytes) => {
    check(bytes);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 200 })('random bytes: never a throw', (bytes) => {
    check(bytes);
  });

  test.prop([fc.integer({ min: MAX_COMMAND_BYTES - 8, max: MAX_COMMAND_BYTES + 8 })], { numRuns: 50 })('refuses a payload over the limit, whatever it holds', (size) => {
    const text = JSON.stringify({ text: 'x' }).padEnd(size, ' ');
    expect(check(utf8.encode(text)).ok).toBe(size <= MAX_COMMAND_BYTES);
  });

  it('quotes an unknown field whose name holds a line break (was a reason of two lines)', () => {
    expect(check(encode({ text: 'pause cobot-1', 'a\nb': 1 }))).toEqual({ ok: false, reason: 'unknown field "a\\nb"' });
  });
});

describe('plant topics', () => {
  const name = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/);

  test.prop([name, name], { numRuns: 200 })('every topic of a plant is publishable and under its root, and no other plant’s', (plant, other) => {
    const t = plantTopics(plant);
    const all = [t.telemetry('m-1'), t.prediction('m-1'), t.state('a-1'), t.alerts, t.workOrders, t.commands, t.commandResults, t.status];
    for (const topic of all) {
      expect(topicProblem(topic)).toBeUndefined();
      expect(topic.startsWith(`${PLANT_TOPIC_ROOT}/${plant}/`)).toBe(true);
      expect(topicMatches(`${t.root}/#`, topic)).toBe(true);
      if (other !== plant) expect(topicMatches(`${plantTopics(other).root}/#`, topic)).toBe(false);
    }
    expect(topicMatches(`${t.root}/machines/+/telemetry`, t.telemetry('m-1'))).toBe(true);
    expect(new Set(all).size).toBe(all.length);
  });

  test.prop([fc.string({ maxLength: 20 })], { numRuns: 200 })('a plant name with a wildcard gives topics the port refuses to publish to', (plant) => {
    const wild = /[+#]/.test(plant);
    expect(topicProblem(plantTopics(plant).status) !== undefined).toBe(wild);
  });
});
