import { describe, expect, it } from 'vitest';
import { AbiCoder, concat, keccak256 } from 'ethers';
import type { TwinEvent } from '../../ports/ledger-port.js';
import { payloadHash } from '../signing/typed-events.js';
import { buildBatch, buildTree, hashPair, standardLeafHash, TWIN_LEAF_TYPES, twinLeaf, twinLeafValues, verifyProof } from './merkle.js';

const ev = (n: number): TwinEvent => ({ id: `m-1:${n}`, time: n * 1.5, type: 'repair.requested', machine: 'm-1', payload: { n } });
const sortPair = (a: string, b: string) => keccak256(BigInt(a) < BigInt(b) ? concat([a, b]) : concat([b, a]));

describe('OZ StandardMerkleTree rules', () => {
  it('hashes a leaf twice over abi.encode, by hand', () => {
    const values = twinLeafValues(ev(2));
    expect(values).toEqual(['m-1:2', 'm-1', 'repair.requested', 3000n, payloadHash({ n: 2 })]);
    const inner = keccak256(AbiCoder.defaultAbiCoder().encode([...TWIN_LEAF_TYPES], values));
    expect(standardLeafHash(TWIN_LEAF_TYPES, values)).toBe(keccak256(inner));
  });

  it('twinLeaf (its encoding written out) equals the generic leaf hash for every kind of field', () => {
    const cases: TwinEvent[] = [
      ev(2),
      { id: '', time: 0, type: '', payload: {} },
      { id: 'x'.repeat(32), time: 1e9 + 0.0004, type: 'y'.repeat(33), machine: 'z'.repeat(64), payload: { a: [1, { b: 'ü' }] } },
      { id: 'run/2026-11-26T12:00:00.000Z/turbine-1:17', time: 86400.125, type: 'parts.received', machine: 'Fräse-3 ✓', payload: { n: 'é' } },
    ];
    for (const e of cases) expect(twinLeaf(e)).toBe(standardLeafHash(TWIN_LEAF_TYPES, twinLeafValues(e)));
    expect(() => twinLeaf({ ...ev(1), time: -1 })).toThrow(/outside uint64/);
  });

  it('matches a three-leaf tree computed by hand (sorted leaves, OZ array layout)', () => {
    const batch = buildBatch([ev(1), ev(2), ev(3)]);
    const [a, b, c] = [...batch.leaves].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
    // tree = [root, n1, c, b, a]: n1 = pair(b, a) (tree[3], tree[4]), root = pair(n1, c).
    const n1 = sortPair(b, a);
    expect(batch.root).toBe(sortPair(n1, c));
    expect(batch.proof(batch.leaves.indexOf(a))).toEqual([b, c]);
    expect(batch.proof(batch.leaves.indexOf(c))).toEqual([n1]);
  });

  it("reproduces the root of OZ merkle-tree's README example", () => {
    // StandardMerkleTree.of([[addr1, 5e18], [addr2, 2.5e18]], ['address', 'uint256']).root, as printed in the README.
    const types = ['address', 'uint256'];
    const leaves = [
      ['0x1111111111111111111111111111111111111111', '5000000000000000000'],
      ['0x2222222222222222222222222222222222222222', '2500000000000000000'],
    ].map((v) => standardLeafHash(types, v));
    expect(buildTree(leaves).root).toBe('0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77');
  });

  it('proves every event of batches of many sizes, and nothing else', () => {
    for (const size of [1, 2, 3, 4, 5, 8, 13]) {
      const events = Array.from({ length: size }, (_, i) => ev(i));
      const batch = buildBatch(events);
      batch.leaves.forEach((leaf, i) => expect(verifyProof(batch.root, leaf, batch.proof(i))).toBe(true));
      if (size === 1) expect(batch.root).toBe(batch.leaves[0]);
      const outsider = buildBatch([ev(99)]).leaves[0];
      expect(verifyProof(batch.root, outsider, batch.proof(0))).toBe(false);
      if (size > 1) expect(verifyProof(batch.root, batch.leaves[0], batch.proof(1))).toBe(false);
    }
  });

  it('refuses an empty batch, a bad index and malformed hashes', () => {
    expect(() => buildBatch([])).toThrow(/at least one leaf/);
    expect(() => buildBatch([ev(1)]).proof(1)).toThrow(RangeError);
    expect(verifyProof('0x12', hashPair(`0x${'1'.repeat(64)}`, `0x${'2'.repeat(64)}`), [])).toBe(false);
  });
});
