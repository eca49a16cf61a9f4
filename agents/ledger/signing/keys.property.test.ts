import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { Wallet } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import { mutatedBytes, mutatedJson, mutatedText, outcome } from '../../../test/support/fuzz.js';
import { expectOneLine } from '../../../test/support/one-line.js';
import { KeyFileError, loadKeys, parseKeys } from './keys.js';

/**
 * Hardened inputs: a keys file is read at start-up. Whatever it holds,
 * `loadKeys` returns a wallet per entry or throws a KeyFileError naming the
 * file (and the entry, when the problem is one entry's) — never another
 * exception.
 */

const dir = mkdtempSync(join(tmpdir(), 'keys-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILE = join(dir, 'keys.json');

/** secp256k1 group order: a private key lies in [1, N). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const privateKey = fc.bigInt({ min: 1n, max: N - 1n }).map((k) => `0x${k.toString(16).padStart(64, '0')}`);
const entry = fc.tuple(privateKey, fc.constantFrom('none', 'checksummed', 'lower' as const)).map(([pk, form]) => {
  const address = new Wallet(pk).address;
  return form === 'none' ? { privateKey: pk } : { privateKey: pk, address: form === 'lower' ? address.toLowerCase() : address };
});
const validFile = fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), entry, { maxKeys: 3 }).map((keys) => ({ version: 1, keys }));

function check(run: () => Map<string, Wallet>, doc?: unknown): Map<string, Wallet> | undefined {
  const r = outcome(run, KeyFileError);
  if (r.ok) {
    for (const [id, w] of r.value) {
      expect(w).toBeInstanceOf(Wallet);
      if (doc !== undefined) expect((doc as { keys: Record<string, { privateKey: string }> }).keys[id].privateKey.toLowerCase()).toBe(w.privateKey);
    }
    return r.value;
  }
  const e = r.error as KeyFileError;
  expect(e.message.startsWith(`keys file ${FILE}: `)).toBe(true);
  expectOneLine(e.message);
  expect(e.file).toBe(FILE);
  return undefined;
}

const load = (text: string | Uint8Array) => {
  writeFileSync(FILE, text);
  return check(() => loadKeys(FILE));
};

describe('keys file, hardened', () => {
  test.prop([validFile], { numRuns: 100 })('round trip: a keys file written as JSON loads every key, at its address', (doc) => {
    const keys = load(JSON.stringify(doc, null, 2))!;
    expect([...keys.keys()]).toEqual(Object.keys(doc.keys));
    for (const [id, e] of Object.entries(doc.keys)) expect(keys.get(id)!.address).toBe(new Wallet(e.privateKey).address);
  });

  test.prop([mutatedJson(validFile, 3)], { numRuns: 200 })('a keys file with fields deleted, replaced, added or retyped: the keys, or a KeyFileError naming the entry', (doc) => {
    const keys = check(() => parseKeys(FILE, doc), doc);
    if (keys === undefined) {
      // A problem of one entry names it.
      try {
        parseKeys(FILE, doc);
      } catch (e) {
        const entries = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { keys?: unknown }).keys : undefined;
        if ((e as Error).message.includes('keys[')) expect(entries && typeof entries === 'object').toBeTruthy();
      }
    }
  });

  test.prop([mutatedText(validFile.map((d) => JSON.stringify(d, null, 2)), 3)], { numRuns: 150 })('a keys file with its text edited', (text) => {
    load(text);
  });

  test.prop([fc.oneof(fc.uint8Array({ maxLength: 200 }), mutatedBytes(validFile.map((d) => new Uint8Array(Buffer.from(JSON.stringify(d)))), 3))], { numRuns: 150 })(
    'arbitrary and corrupted bytes',
    (bytes) => {
      load(bytes);
    },
  );

  test.prop([fc.integer({ min: 1, max: 30000 }), fc.constantFrom('version', 'keys', 'entry', 'privateKey', 'address')], { numRuns: 30 })(
    'a value nested to any depth in any field',
    (depth, field) => {
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const pk = `"0x${'11'.repeat(32)}"`;
      const text = {
        version: `{"version":${deep},"keys":{}}`,
        keys: `{"version":1,"keys":${deep}}`,
        entry: `{"version":1,"keys":{"m-1":${deep}}}`,
        privateKey: `{"version":1,"keys":{"m-1":{"privateKey":${deep}}}}`,
        address: `{"version":1,"keys":{"m-1":{"privateKey":${pk},"address":${deep}}}}`,
      }[field];
      expect(load(text)).toBeUndefined();
    },
  );

  it('keeps the error one line when JSON.parse quotes a file with a NUL or a line break (was raw)', () => {
    expect(load(Uint8Array.from([0]))).toBeUndefined();
    expect(load('  : 1,\n  "keys": {}\n}')).toBeUndefined();
  });

  it('describes a version or an address nested too deep to print (was a RangeError)', () => {
    const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    writeFileSync(FILE, `{"version":${deep},"keys":{}}`);
    expect(() => loadKeys(FILE)).toThrow(/unsupported version an array nested too deep/);
    writeFileSync(FILE, `{"version":1,"keys":{"m-1":{"privateKey":"0x${'11'.repeat(32)}","address":${deep}}}}`);
    expect(() => loadKeys(FILE)).toThrow(/keys\["m-1"\]\.address an array nested too deep is not an address/);
  });
});
