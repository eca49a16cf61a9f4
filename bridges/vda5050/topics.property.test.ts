import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { topicElement } from '../../test/support/vda5050-arbitraries.js';
import { VDA5050_TOPICS } from './messages.js';
import { parseVdaTopic, topicElementProblem, vdaFilter, vdaTopic } from './topics.js';

/** Topic names as a master and a vehicle read them: `uagv/v2/<manufacturer>/<serialNumber>/<topic>`. */

const level = fc.oneof(topicElement, fc.string({ maxLength: 8 }), fc.constantFrom('', '+', '#', 'uagv', 'v2', 'v1', ...VDA5050_TOPICS));
const topicLike = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.array(level, { minLength: 0, maxLength: 7 }).map((levels) => levels.join('/')),
  fc.tuple(level, level, fc.constantFrom(...VDA5050_TOPICS, 'bogus', '')).map(([m, s, t]) => `uagv/v2/${m}/${s}/${t}`),
);

describe('VDA 5050 topics', () => {
  test.prop([topicLike], { numRuns: 300 })('any topic is read back to itself, or refused naming it', (topic) => {
    const p = parseVdaTopic(topic);
    if (!p.ok) {
      expect(p.reason).toContain(`"`);
      return;
    }
    expect(VDA5050_TOPICS).toContain(p.value.topic);
    expect(p.value.manufacturer.includes('/') || p.value.serialNumber.includes('/')).toBe(false);
    expect(vdaTopic(p.value.manufacturer, p.value.serialNumber, p.value.topic)).toBe(topic);
  });

  test.prop([topicElement, topicElement, fc.constantFrom(...VDA5050_TOPICS)])('vdaTopic → parseVdaTopic is the identity for valid elements', (m, s, t) => {
    expect(topicElementProblem('manufacturer', m)).toBeUndefined();
    expect(topicElementProblem('serialNumber', s)).toBeUndefined();
    expect(parseVdaTopic(vdaTopic(m, s, t))).toEqual({ ok: true, value: { manufacturer: m, serialNumber: s, topic: t } });
    expect(vdaFilter(m, t)).toBe(`uagv/v2/${m}/+/${t}`);
  });

  test.prop([fc.string({ maxLength: 20 })], { numRuns: 300 })('a manufacturer or serial number that could escape its topic level is refused, naming it', (value) => {
    const problem = topicElementProblem('serialNumber', value);
    if (value === '' || /[/+#\s]/.test(value)) expect(problem).toContain(`serialNumber "${value}"`);
    if (problem === undefined) expect(parseVdaTopic(vdaTopic('m', value, 'state'))).toMatchObject({ ok: true, value: { serialNumber: value } });
  });
});
