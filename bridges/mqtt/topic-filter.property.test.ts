import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { filterProblem, topicMatches, topicProblem } from './topic-filter.js';

/**
 * Topic parsing (MQTT 3.1.1 §4.7) for the port's routing and the broker's
 * ACLs: a filter is valid exactly when its wildcards stand as whole levels
 * (`#` last), and a valid filter matches a topic level by level.
 */

const level = fc.string({ unit: fc.constantFrom('a', 'b', '$', ' ', 'é', '\u0000'), maxLength: 3 });
const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/')).filter((t) => t.length > 0);
const noise = fc.string({ unit: fc.constantFrom('a', '/', '+', '#', '$', ''), maxLength: 12 });

/** The spec's rule, written independently of the implementation. */
const validFilter = (f: string) => f.length > 0 && f.split('/').every((l, i, all) => l === '+' || (l === '#' && i === all.length - 1) || !/[+#]/.test(l));

describe('MQTT topic filters, hardened', () => {
  test.prop([fc.oneof(noise, fc.string({ maxLength: 20 }))], { numRuns: 300 })('a filter is refused exactly when a wildcard is not a whole level (# last), with a reason', (f) => {
    const problem = filterProblem(f);
    expect(problem === undefined).toBe(validFilter(f));
    if (problem !== undefined) expect(problem).toMatch(/\S/);
    expect(topicProblem(f) === undefined).toBe(f.length > 0 && !/[+#]/.test(f));
  });

  test.prop([topic, fc.array(fc.boolean(), { maxLength: 5 }), fc.nat()], { numRuns: 300 })('a topic matches itself, its levels replaced by + and its tail by #', (t, plus, cut) => {
    const levels = t.split('/');
    expect(topicMatches(t, t)).toBe(true);
    const withPlus = levels.map((l, i) => (plus[i] ? '+' : l)).join('/');
    // `$` topics (broker statistics) are not matched by a leading wildcard.
    expect(topicMatches(withPlus, t)).toBe(!(t.startsWith('$') && plus[0] === true));
    const k = cut % (levels.length + 1);
    const withHash = [...levels.slice(0, k), '#'].join('/');
    expect(topicMatches(withHash, t)).toBe(!(t.startsWith('$') && k === 0));
  });

  test.prop([topic, topic], { numRuns: 300 })('two topics without wildcards match only when equal', (a, b) => {
    expect(topicMatches(a, b)).toBe(a === b);
  });

  test.prop([noise, fc.oneof(noise, topic)], { numRuns: 300 })('matching any filter against any topic never throws', (f, t) => {
    expect(typeof topicMatches(f, t)).toBe('boolean');
  });
});
