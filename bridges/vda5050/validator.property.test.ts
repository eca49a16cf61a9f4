import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { readJsonPayload } from '../mqtt/json-payload.js';
import { anyJson, mutatedJson } from '../../test/support/fuzz.js';
import * as gen from '../../test/support/vda5050-arbitraries.js';
import type { Vda5050Topic } from './messages.js';
import { orderShapeProblem, positionProblem } from './order-checks.js';
import { bundledValidator } from './validator.js';

/**
 * What a vehicle and a master do with every incoming payload, as
 * properties: bytes → `readJsonPayload` → `Vda5050Validator.validate` (the
 * official JSON schemas) → the rules the schema cannot say
 * (`orderShapeProblem`, `positionProblem`). Whatever comes, each step
 * either passes the message on or refuses it with a reason naming the field
 * path; none throws.
 */

const validator = bundledValidator();
const TOPICS: Vda5050Topic[] = ['order', 'instantActions', 'state', 'visualization', 'connection', 'factsheet'];
const MAX = 64 * 1024;

/** The checks after the schema, as the vehicle runs them: undefined or a reason that starts with a field path. */
function rules(msg: unknown): string | undefined {
  const v = validator.validate('order', msg);
  if (!v.ok) return undefined;
  const problem = orderShapeProblem(v.value) ?? positionProblem(v.value, gen.MAP_ID);
  if (problem !== undefined) expect(problem).toMatch(/^(nodes|edges)(\/\d+(\/\w+)*)?: /);
  return problem;
}

/** A refusal names the topic and at least one field path (`/` for the message itself). */
function expectRefusal(topic: string, reason: string): void {
  expect(reason.startsWith(`${topic}: /`)).toBe(true);
}

describe('VDA 5050 payloads: bytes, JSON and schemas', () => {
  test.prop([fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s))), fc.constantFrom(...TOPICS)], { numRuns: 300 })(
    'arbitrary bytes are JSON or refused with "not JSON"; JSON is a message of the topic or refused naming a path',
    (bytes, topic) => {
      const json = readJsonPayload(bytes, MAX);
      if (!json.ok) return void expect(json.reason).toMatch(/^not JSON: \S/);
      const v = validator.validate(topic, json.value);
      if (!v.ok) expectRefusal(topic, v.reason);
      rules(json.value);
    },
  );

  test.prop([fc.nat({ max: 3 * MAX })])('a payload over the limit is refused by its size before it is read', (extra) => {
    const json = readJsonPayload(new Uint8Array(MAX + 1 + extra), MAX);
    expect(json).toEqual({ ok: false, reason: `payload of ${MAX + 1 + extra} bytes exceeds ${MAX}` });
  });

  test.prop([anyJson, fc.constantFrom(...TOPICS)], { numRuns: 300 })('any JSON value: a message of its topic, or refused naming a field path', (msg, topic) => {
    const v = validator.validate(topic, msg);
    if (v.ok) expect(v.value).toBe(msg);
    else expectRefusal(topic, v.reason);
    rules(msg);
  });

  test.prop([gen.order], { numRuns: 200 })('a valid order passes the schema and VDA 5050 rules, also after a JSON round trip', (order) => {
    for (const msg of [order, JSON.parse(JSON.stringify(order)) as unknown]) {
      const v = validator.validate('order', msg);
      expect(v).toEqual({ ok: true, value: msg });
      expect(rules(msg)).toBeUndefined();
    }
  });

  test.prop([gen.instantActions, gen.state])('valid instant actions and states pass their schemas', (ia, state) => {
    expect(validator.validate('instantActions', JSON.parse(JSON.stringify(ia)))).toMatchObject({ ok: true });
    expect(validator.validate('state', JSON.parse(JSON.stringify(state)))).toMatchObject({ ok: true });
  });

  test.prop([mutatedJson(gen.order)], { numRuns: 300 })('a mutated order: refused naming a field path, or accepted and then checked by the rules without a throw', (msg) => {
    const v = validator.validate('order', msg);
    if (!v.ok) expectRefusal('order', v.reason);
    rules(msg);
  });

  test('the mutations reach past the schema: some mutated orders pass it and break a rule, some pass both', () => {
    const outcomes = fc.sample(mutatedJson(gen.order), { numRuns: 400, seed: 7 }).map((m) => (!validator.validate('order', m).ok ? 'schema' : rules(m) ? 'rule' : 'valid'));
    expect(new Set(outcomes)).toEqual(new Set(['schema', 'rule', 'valid']));
  });

  test.prop([mutatedJson(gen.instantActions)], { numRuns: 200 })('mutated instant actions: refused naming a field path, or a list of well-typed actions', (msg) => {
    const v = validator.validate('instantActions', msg);
    if (!v.ok) return expectRefusal('instantActions', v.reason);
    for (const a of v.value.actions) {
      expect(typeof a.actionId).toBe('string');
      expect(typeof a.actionType).toBe('string');
      expect(['NONE', 'SOFT', 'HARD']).toContain(a.blockingType);
    }
  });

  test.prop([mutatedJson(gen.state)], { numRuns: 200 })('a mutated state: refused naming a field path, or one the master can read', (msg) => {
    const v = validator.validate('state', msg);
    if (!v.ok) return expectRefusal('state', v.reason);
    // What the master reads of a state (vehicle-link.ts).
    expect(typeof v.value.serialNumber).toBe('string');
    expect(typeof v.value.batteryState.batteryCharge).toBe('number');
    expect(Array.isArray(v.value.nodeStates) && Array.isArray(v.value.actionStates) && Array.isArray(v.value.errors)).toBe(true);
  });
});
