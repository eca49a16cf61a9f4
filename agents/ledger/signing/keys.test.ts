import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKey, devKeys, loadKeys } from './keys.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keys-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const file = (content: unknown) => {
  const p = join(dir, 'keys.json');
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
// Anvil's well-known first dev key.
const PK = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ADDR = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

describe('dev keys', () => {
  it('are deterministic per seed and id, and distinct', () => {
    expect(devKey('s', 'm-1').address).toBe(devKey('s', 'm-1').address);
    expect(devKey('s', 'm-1').address).not.toBe(devKey('s', 'm-2').address);
    expect(devKey('s', 'm-1').address).not.toBe(devKey('t', 'm-1').address);
    expect([...devKeys('s', ['a', 'b']).keys()]).toEqual(['a', 'b']);
  });
});

describe('loadKeys', () => {
  it('reads the documented format', () => {
    const keys = loadKeys(file({ version: 1, keys: { 'm-1': { privateKey: PK, address: ADDR.toLowerCase() }, 'tech-1': { privateKey: PK } } }));
    expect(keys.get('m-1')!.address).toBe(ADDR);
    expect(keys.size).toBe(2);
  });

  it('names the file and the entry on every problem', () => {
    expect(() => loadKeys(join(dir, 'missing.json'))).toThrow(/keys file .*missing\.json: cannot read \(ENOENT\)/);
    expect(() => loadKeys(file('{'))).toThrow(/keys\.json: not JSON/);
    expect(() => loadKeys(file({ keys: {} }))).toThrow(/unsupported version undefined/);
    expect(() => loadKeys(file({ version: 1, keys: [] }))).toThrow(/"keys" must be an object/);
    expect(() => loadKeys(file({ version: 1, keys: { 'm-1': { privateKey: '0x1234' } } }))).toThrow(/keys\["m-1"\]\.privateKey must be 0x followed by 64 hex/);
    expect(() => loadKeys(file({ version: 1, keys: { 'm-1': { privateKey: `0x${'0'.repeat(64)}` } } }))).toThrow(/not a valid secp256k1 key/);
    expect(() => loadKeys(file({ version: 1, keys: { 'm-1': { privateKey: PK, address: '0x0000000000000000000000000000000000000001' } } }))).toThrow(
      /keys\["m-1"\]\.address .* does not match its key/,
    );
  });
});
