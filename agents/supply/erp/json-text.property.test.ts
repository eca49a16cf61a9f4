import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { anyJson, mutatedText } from '../../../test/support/fuzz.js';
import { parseJsonText, syntaxErrorOffset } from './json-text.js';

/**
 * JSON text as the ERP API and erp.json read it (`parseJsonText`): the
 * value JSON.parse gives, or where the text stops being JSON (offset, line,
 * column, in the message too). Never a throw, whatever the text: deep
 * nesting included (JSON.parse takes it; the scanner that locates the
 * error must too).
 */

const jsonText = fc.oneof(
  anyJson.map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 2)),
);
const nested = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{"a":', '[{"b":'), fc.constantFrom('', '1', ']', '}', 'x')).map(([n, open, tail]) => open.repeat(n) + tail);
const anyText = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ maxLength: 40, unit: 'binary' }), jsonText, mutatedText(jsonText, 3), nested);

function expectParse(text: string): void {
  const r = parseJsonText(text);
  let expected: unknown;
  let valid = true;
  try {
    expected = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    valid = false;
  }
  if (valid) return void expect(r).toEqual({ ok: true, value: expected });
  if (r.ok) throw new Error('parseJsonText took what JSON.parse refuses');
  expect(r.offset).toBeGreaterThanOrEqual(0);
  expect(r.offset).toBeLessThanOrEqual(text.length);
  const before = text.slice(0, r.offset).split('\n');
  expect(r.line).toBe(before.length);
  expect(r.column).toBe(before.at(-1)!.length + 1);
  expect(r.message).toContain(`at line ${r.line}, column ${r.column}`);
  expect(r.message).toMatch(/^not JSON: /);
}

describe('JSON text with its error located', () => {
  test.prop([anyText], { numRuns: 300 })('any text: the value JSON.parse gives, or the place the text stops being JSON', expectParse);

  test.prop([jsonText], { numRuns: 200 })('the scanner finds no error in valid JSON (it runs to the end)', (text) => {
    expect(syntaxErrorOffset(text)).toBe(text.length);
  });

  test.prop([jsonText, fc.nat()], { numRuns: 200 })('valid JSON cut short: refused at or before the cut', (text, at) => {
    fc.pre(text.length > 1);
    const cut = text.slice(0, 1 + (at % (text.length - 1)));
    let valid = true;
    try {
      JSON.parse(cut);
    } catch {
      valid = false;
    }
    fc.pre(!valid);
    const r = parseJsonText(cut);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.offset).toBeLessThanOrEqual(cut.length);
  });

  test.prop([fc.oneof(fc.string({ maxLength: 60 }), jsonText, mutatedText(jsonText, 3))], { numRuns: 300 })(
    'the iterative scanner finds the same offset as the recursive one it replaced (on nesting the old one could take)',
    (text) => {
      expect(syntaxErrorOffset(text)).toBe(recursiveOffset(text));
    },
  );

  it('locates the error in deeply nested text without overflowing the stack (found by the property: RangeError from the recursive scanner)', () => {
    const deep = '['.repeat(100_000);
    expect(parseJsonText(deep)).toMatchObject({ ok: false, line: 1 });
    expect(() => syntaxErrorOffset(`${'{"a":'.repeat(50_000)}x`)).not.toThrow();
    expect(parseJsonText(`${'['.repeat(50_000)}x`)).toMatchObject({ ok: false, offset: 50_000, column: 50_001, message: 'not JSON: unexpected "x" at line 1, column 50001' });
    // JSON.parse takes deep nesting: so does parseJsonText.
    expect(parseJsonText(`${'['.repeat(50_000)}${']'.repeat(50_000)}`).ok).toBe(true);
  });
});

/** The recursive scanner `syntaxErrorOffset` was before it became iterative: the reference for shallow text. */
function recursiveOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-f]/i.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
        else fail();
      } else i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        string();
        ws();
        literal(':');
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    fail();
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    value();
    ws();
    if (i < text.length) fail();
    return text.length;
  } catch (at) {
    if (typeof at === 'number') return Math.min(at, text.length);
    throw at;
  }
}
