import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { anyJson, mutatedBytes, mutatedJson, mutatedText, outcome, type Json } from '../../test/support/fuzz.js';
import { expectOneLine } from '../../test/support/one-line.js';
import { KeyringFileError, loadKeyring } from './keyring.js';

/**
 * Hardened input: `loadKeyring` reads a file of private keys. Any bytes, any
 * mode: Ed25519 keys under valid ids, or a one-line KeyringFileError naming
 * the file; never another exception; the file is left byte for byte, its
 * mode too. A file group or others may read is refused whatever it holds.
 */

const dir = mkdtempSync(join(tmpdir(), 'hf-keyring-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `k${++n}.json`);

const pem = (type: 'ed25519' | 'x25519' | 'ec') =>
  generateKeyPairSync(type as 'ed25519', type === 'ec' ? ({ namedCurve: 'P-256' } as never) : undefined).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ED = [pem('ed25519'), pem('ed25519')];
const OTHER = [pem('x25519'), pem('ec'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()];

const ID = /^[A-Za-z0-9._-]{1,100}$/;
const id = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
const validDoc = fc.dictionary(id, fc.constantFrom(...ED), { minKeys: 0, maxKeys: 3 }).map((keys) => ({ version: 1, keys }));
/** Valid documents whose values may also be keys of another kind, a public key or a PEM cut short. */
const nearDoc = fc
  .dictionary(fc.oneof(id, fc.string({ maxLength: 6 })), fc.oneof(fc.constantFrom(...ED, ...OTHER), fc.constantFrom(...ED).chain((p) => fc.nat(p.length).map((i) => p.slice(0, i)))), { maxKeys: 3 })
  .map((keys) => ({ version: 1, keys }));

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const pretty = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** loadKeyring's contract on one file's bytes and mode. */
function load(bytes: Uint8Array, mode = 0o600): { ok: true; ids: string[] } | { ok: false; error: KeyringFileError } {
  const path = freshPath();
  writeFileSync(path, bytes, { mode });
  chmodSync(path, mode);
  const before = Buffer.from(bytes);
  const r = outcome(() => loadKeyring(path), KeyringFileError);
  expect(readFileSync(path).equals(before)).toBe(true);
  expect(statSync(path).mode & 0o777).toBe(mode);
  if (!r.ok) {
    expect(r.error.message).toMatch(new RegExp(`^keyring file ${esc(path)}: \\S`));
    expectOneLine(r.error.message);
    if ((mode & 0o077) !== 0) expect(r.error.message).toMatch(/readable by group or others/);
    return { ok: false, error: r.error as KeyringFileError };
  }
  expect(mode & 0o077).toBe(0);
  const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { keys: Record<string, string> };
  expect([...r.value.keys()]).toEqual(Object.keys(doc.keys));
  for (const [k, key] of r.value) {
    expect(ID.test(k)).toBe(true);
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(key.type).toBe('private');
  }
  return { ok: true, ids: [...r.value.keys()] };
}

describe('keyring file, hardened', () => {
  test.prop([validDoc], { numRuns: 60 })('round trip: a keyring of Ed25519 keys under valid ids loads with every id', (doc) => {
    expect(load(bytesOf(pretty(doc)))).toEqual({ ok: true, ids: Object.keys(doc.keys) });
  });

  test.prop([validDoc, fc.integer({ min: 1, max: 0o77 })], { numRuns: 40 })('a keyring group or others may read is refused, whatever it holds', (doc, loose) => {
    expect(load(bytesOf(pretty(doc)), 0o600 | loose).ok).toBe(false);
  });

  test.prop([fc.oneof(mutatedJson(validDoc as fc.Arbitrary<Json>, 3), nearDoc as fc.Arbitrary<Json>)], { numRuns: 150 })('a keyring with fields deleted, replaced, added or retyped, or keys of another kind: loads, or refused naming the file', (doc) => {
    load(bytesOf(JSON.stringify(doc) ?? 'undefined'));
  });

  test.prop([mutatedText(validDoc.map(pretty), 3)], { numRuns: 100 })('a keyring with lines and characters edited or torn', (text) => {
    load(bytesOf(text));
  });

  test.prop([mutatedBytes(validDoc.map((d) => bytesOf(pretty(d))), 3)], { numRuns: 100 })('a keyring with bits flipped, bytes set, inserted or zeroed, or truncated', (bytes) => {
    load(bytes);
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 300 }), anyJson.map((v) => bytesOf(JSON.stringify(v))))], { numRuns: 150 })('arbitrary bytes and any JSON value: refused naming the file', (bytes) => {
    expect(load(bytes).ok).toBe(false);
  });

  // Inputs the properties found, kept as examples.
  it('keeps "not JSON" one line when the file holds a NUL or a line break (V8 quotes the text raw; was two lines)', () => {
    for (const text of ['\u0000', 'a\nb']) {
      const r = load(bytesOf(text));
      expect(r.ok || r.error.message).toMatch(/: not JSON \(.*\\u00(00|0a)/);
    }
  });

  it('keeps a refused id one line when it holds a line or paragraph separator (JSON.stringify leaves U+2028 raw; was two lines)', () => {
    for (const bad of ['a\u2028b', 'a\u2029b']) {
      const r = load(bytesOf(JSON.stringify({ version: 1, keys: { [bad]: ED[0] } })));
      expect(r.ok || r.error.message).toMatch(/keys\["a\\u202[89]b"\]: an id is/);
    }
  });

  it('keeps a refused entry one line when its key holds a line break (the schema path is the key, raw; was two lines)', () => {
    const r = load(bytesOf(JSON.stringify({ version: 1, keys: { 'a\nb': 5 } })));
    expect(r.ok || r.error.message).toMatch(/: keys\.a\\u000ab: /);
  });

  it('refuses a "__proto__" entry that is not a PEM string, and keeps one that is (the schema skipped it: loaded as no keys)', () => {
    const bad = load(bytesOf('{"version":1,"keys":{"__proto__":{}}}'));
    expect(bad.ok || bad.error.message).toMatch(/keys\["__proto__"\]: expected a PEM string$/);
    expect(load(bytesOf(`{"version":1,"keys":{"__proto__":${JSON.stringify(ED[0])}}}`))).toEqual({ ok: true, ids: ['__proto__'] });
  });

  it('names a missing file, one line', () => {
    expect(() => loadKeyring(join(dir, 'missing.json'))).toThrow(new KeyringFileError(`keyring file ${join(dir, 'missing.json')}: no such file`));
  });
});
