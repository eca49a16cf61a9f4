import { readFileSync } from 'node:fs';
import { getAddress, isHexString, keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { oneLine } from '../../protocol/one-line.js';

/**
 * Keys of machines and agents.
 *
 * Development and simulation: `devKey(seed, id)` derives a key from a seed and
 * the agent id, `keccak256("hyperfactory-dev-key:" + seed + ":" + id)`, so a
 * scenario replays with the same addresses and no key material is stored.
 * Anyone who knows the seed knows every key: never use these on a real chain.
 *
 * Production: keys come from a file (`loadKeys`), kept out of the repository,
 * readable by the process only:
 *
 *     { "version": 1,
 *       "keys": { "<agent id>": { "privateKey": "0x<64 hex>", "address": "0x…" } } }
 *
 * `address` is optional; when given it must match the key (catches a key
 * pasted under the wrong id).
 */

/** secp256k1 group order: a private key must lie in [1, n). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export function devKey(seed: string, id: string): Wallet {
  let hash = keccak256(toUtf8Bytes(`hyperfactory-dev-key:${seed}:${id}`));
  // Out of range with probability ~2^-128; rehash rather than fail.
  while (BigInt(hash) === 0n || BigInt(hash) >= N) hash = keccak256(hash);
  return new Wallet(hash);
}

/** Dev keys for a set of ids. */
export function devKeys(seed: string, ids: readonly string[]): Map<string, Wallet> {
  return new Map(ids.map((id) => [id, devKey(seed, id)]));
}

export class KeyFileError extends Error {
  override name = 'KeyFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    // The detail may quote the file (JSON.parse's message does, raw): kept to one line.
    super(`keys file ${file}: ${oneLine(detail)}`);
  }
}

/** Reads a keys file (format above); every problem names the file and the entry. */
export function loadKeys(file: string): Map<string, Wallet> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new KeyFileError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new KeyFileError(file, `not JSON (${(e as Error).message})`);
  }
  return parseKeys(file, doc);
}

/**
 * A value of the file for a message: its JSON, cut short. JSON.stringify
 * throws a RangeError on a value nested past the stack (JSON.parse reads it
 * fine); such a value is named by its kind.
 */
function show(v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    return Array.isArray(v) ? 'an array nested too deep' : 'an object nested too deep';
  }
  if (text === undefined) return String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function parseKeys(file: string, doc: unknown): Map<string, Wallet> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new KeyFileError(file, 'expected an object {"version": 1, "keys": {...}}');
  const { version, keys } = doc as { version?: unknown; keys?: unknown };
  if (version !== 1) throw new KeyFileError(file, `unsupported version ${show(version)} (expected 1)`);
  if (!keys || typeof keys !== 'object' || Array.isArray(keys)) throw new KeyFileError(file, '"keys" must be an object of agent id → {privateKey, address?}');
  const out = new Map<string, Wallet>();
  for (const [id, entry] of Object.entries(keys as Record<string, unknown>)) {
    const where = `keys[${JSON.stringify(id)}]`;
    if (!entry || typeof entry !== 'object') throw new KeyFileError(file, `${where} must be an object {privateKey, address?}`);
    const { privateKey, address } = entry as { privateKey?: unknown; address?: unknown };
    if (typeof privateKey !== 'string' || !isHexString(privateKey, 32)) throw new KeyFileError(file, `${where}.privateKey must be 0x followed by 64 hex digits`);
    const k = BigInt(privateKey);
    if (k === 0n || k >= N) throw new KeyFileError(file, `${where}.privateKey is not a valid secp256k1 key`);
    const wallet = new Wallet(privateKey);
    if (address !== undefined) {
      let expected: string;
      try {
        expected = getAddress(String(address));
      } catch {
        throw new KeyFileError(file, `${where}.address ${show(address)} is not an address`);
      }
      if (expected !== wallet.address) throw new KeyFileError(file, `${where}.address ${expected} does not match its key (${wallet.address})`);
    }
    out.set(id, wallet);
  }
  return out;
}
