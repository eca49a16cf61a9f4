import { AbiCoder, concat, isHexString, keccak256 } from 'ethers';
import type { TwinEvent } from '../../ports/ledger-port.js';
import { payloadHash } from '../signing/typed-events.js';

/**
 * Merkle batches of twin events, built by the rules of OpenZeppelin's
 * `StandardMerkleTree` (`@openzeppelin/merkle-tree`, not installed, so
 * reimplemented here) so OZ's `MerkleProof.verify` accepts the proofs:
 *
 * - leaf = keccak256(bytes.concat(keccak256(abi.encode(values)))) — hashed
 *   twice so a leaf can never be passed off as an internal node;
 * - internal node = keccak256 of the two children, smaller first (sorted
 *   pairs, so a proof needs no left/right flags);
 * - leaves sorted by hash, laid out as OZ's array tree (leaf i at
 *   `tree[len − 1 − i]`, children of k at 2k+1 and 2k+2), so the root equals
 *   the one OZ's library computes for the same values.
 */

export const TWIN_LEAF_TYPES = ['string', 'string', 'string', 'uint64', 'bytes32'] as const;

/** The leaf values of a twin event: (eventId, machine, eventType, time in ms, payloadHash). */
export function twinLeafValues(event: TwinEvent): [string, string, string, bigint, string] {
  return [event.id, event.machine ?? '', event.type, BigInt(Math.round(event.time * 1000)), payloadHash(event.payload)];
}

/**
 * The leaf of a twin event: `standardLeafHash(TWIN_LEAF_TYPES, twinLeafValues(event))`,
 * with the ABI encoding of its five fixed fields written out. It runs for
 * every event the ledger records (several times), and ethers' generic
 * `AbiCoder` took ~0.26 ms of its ~0.37 ms; the test checks both agree.
 */
export function twinLeaf(event: TwinEvent): string {
  const [id, machine, type, time, hash] = twinLeafValues(event);
  if (time < 0n || time >= 1n << 64n) throw new RangeError(`twin event ${event.id}: time ${event.time} s is outside uint64 milliseconds`);
  const strings = [id, machine, type].map((v) => Buffer.from(v, 'utf8'));
  const padded = (n: number) => Math.ceil(n / 32) * 32;
  const size = 5 * 32 + strings.reduce((n, b) => n + 32 + padded(b.length), 0);
  const out = Buffer.alloc(size);
  let tail = 5 * 32;
  strings.forEach((bytes, i) => {
    out.writeBigUInt64BE(BigInt(tail), i * 32 + 24); // offset of the string, from the start of the encoding
    out.writeBigUInt64BE(BigInt(bytes.length), tail + 24);
    bytes.copy(out, tail + 32);
    tail += 32 + padded(bytes.length);
  });
  out.writeBigUInt64BE(time, 3 * 32 + 24);
  Buffer.from(hash.slice(2), 'hex').copy(out, 4 * 32);
  return keccak256(keccak256(out));
}

export function standardLeafHash(types: readonly string[], values: readonly unknown[]): string {
  return keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(types, values)));
}

export function hashPair(a: string, b: string): string {
  return keccak256(BigInt(a) < BigInt(b) ? concat([a, b]) : concat([b, a]));
}

export interface MerkleBatch {
  root: string;
  /** Leaf hashes in the order of the input events. */
  leaves: string[];
  /** Sibling hashes from the leaf of input `i` up to the root. */
  proof(i: number): string[];
}

/** A tree over leaf hashes (at least one), OZ layout. */
export function buildTree(leafHashes: readonly string[]): MerkleBatch {
  if (leafHashes.length === 0) throw new Error('a Merkle batch needs at least one leaf');
  for (const h of leafHashes) if (!isHexString(h, 32)) throw new Error(`leaf ${h} is not a bytes32`);
  const sorted = leafHashes.map((hash, i) => ({ hash: hash.toLowerCase(), i })).sort((x, y) => (BigInt(x.hash) < BigInt(y.hash) ? -1 : BigInt(x.hash) > BigInt(y.hash) ? 1 : 0));
  const n = sorted.length;
  const tree = new Array<string>(2 * n - 1);
  const position = new Array<number>(n);
  sorted.forEach(({ hash, i }, k) => {
    tree[tree.length - 1 - k] = hash;
    position[i] = tree.length - 1 - k;
  });
  for (let k = tree.length - 1 - n; k >= 0; k--) tree[k] = hashPair(tree[2 * k + 1], tree[2 * k + 2]);
  return {
    root: tree[0],
    leaves: leafHashes.map((h) => h.toLowerCase()),
    proof(i: number): string[] {
      if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`no leaf ${i} in a batch of ${n}`);
      const proof: string[] = [];
      for (let k = position[i]; k > 0; k = Math.floor((k - 1) / 2)) proof.push(tree[k % 2 === 1 ? k + 1 : k - 1]);
      return proof;
    },
  };
}

/** A batch of twin events: leaf i is event i. */
export function buildBatch(events: readonly TwinEvent[]): MerkleBatch {
  return buildTree(events.map(twinLeaf));
}

/** What `MerkleProof.verify(proof, root, leaf)` computes on chain. */
export function verifyProof(root: string, leaf: string, proof: readonly string[]): boolean {
  if (!isHexString(root, 32) || !isHexString(leaf, 32) || !proof.every((p) => isHexString(p, 32))) return false;
  return proof.reduce((acc, sibling) => hashPair(acc, sibling), leaf.toLowerCase()) === root.toLowerCase();
}
