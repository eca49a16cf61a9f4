import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { anyJson, mutatedBytes } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { readJsonPayload } from './json-payload.js';

/**
 * Hardened inputs: every JSON payload a plant takes from MQTT goes through
 * `readJsonPayload`. Whatever the bytes, it returns the value or a one-line
 * reason (too large, not UTF-8, not JSON); it never throws.
 */

const MAX = 4096;
const utf8 = new TextEncoder();
const encode = (v: unknown) => utf8.encode(JSON.stringify(v));
const isUtf8 = (b: Uint8Array) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

function check(bytes: Uint8Array, max = MAX): ReturnType<typeof readJsonPayload> {
  const r = readJsonPayload(bytes, max);
  if (!r.ok) {
    expect(r.reason).toMatch(/^(payload of \d+ bytes exceeds \d+|not JSON: .+)$/);
    expectOneLine(r.reason);
  }
  return r;
}

describe('MQTT JSON payload reader, hardened', () => {
  test.prop([anyJson], { numRuns: 300 })('round trip: a JSON value encoded as UTF-8 reads back as itself', (v) => {
    const r = check(encode(v), Infinity);
    expect(r).toEqual({ ok: true, value: JSON.parse(JSON.stringify(v)) });
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 300 })('random bytes: a value, or a one-line reason; never a throw', (bytes) => {
    const r = check(bytes);
    if (r.ok) expect(isUtf8(bytes)).toBe(true);
  });

  test.prop([mutatedBytes(anyJson.map(encode), 3)], { numRuns: 300 })('truncated and corrupted JSON: refused unless still UTF-8 JSON', (bytes) => {
    const r = check(bytes);
    if (!isUtf8(bytes)) expect(r.ok).toBe(false);
  });

  test.prop([fc.string({ maxLength: 200 })], { numRuns: 300 })('any text: read exactly as JSON.parse reads it', (text) => {
    const r = check(utf8.encode(text), Infinity);
    let expected: unknown;
    try {
      expected = { ok: true, value: JSON.parse(text.replace(/^\ufeff/, '')) };
    } catch {
      expected = { ok: false };
    }
    expect(r.ok ? r : { ok: false }).toEqual(expected);
  });

  test.prop([fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 64 })], { numRuns: 100 })('refuses a payload over the limit before reading it', (size, max) => {
    const r = check(new Uint8Array(size).fill(0x20), max);
    if (size > max) expect(r).toEqual({ ok: false, reason: `payload of ${size} bytes exceeds ${max}` });
  });

  it('keeps the reason one line when the payload holds a CR or a NUL (V8 quotes the payload raw)', () => {
    expect(check(Uint8Array.from([13, 0]))).toEqual({ ok: false, reason: expect.stringContaining('\\u000d\\u0000') });
  });

  it('reads a payload nested as deep as its size allows', () => {
    const half = MAX / 2;
    expect(check(utf8.encode('['.repeat(half) + ']'.repeat(half))).ok).toBe(true);
  });
});
