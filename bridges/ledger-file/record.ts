import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * One record of the hash-chained ledger, one NDJSON line each:
 *
 *     {seq, id, time, type, machine?, payload, prev, hash}
 *
 * `seq` counts from 0; `prev` is the `hash` of record `seq − 1` (64 zeros for
 * the first); `hash` is the SHA-256 (lower-case hex) of the canonical JSON of
 * the record without its `hash` field. Each hash therefore commits to the
 * record and, through `prev`, to every record before it: changing, removing or
 * reordering any line breaks the chain from there on.
 */
export interface LedgerRecord {
  seq: number;
  id: string;
  time: number;
  type: string;
  machine?: string;
  payload: Record<string, unknown>;
  prev: string;
  hash: string;
}

/** `prev` of the first record. */
export const GENESIS = '0'.repeat(64);

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');

/** The shape of a stored record (its hash is checked separately). */
export const LedgerRecordSchema = z
  .object({
    seq: z.number().int().nonnegative(),
    id: z.string().min(1),
    time: z.number().finite(),
    type: z.string().min(1),
    machine: z.string().optional(),
    payload: z.record(z.string(), z.unknown()),
    prev: hex64,
    hash: hex64,
  })
  .strict();

/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, as
 * `Array.prototype.sort` does) at every depth, no whitespace, keys whose value
 * is `undefined` left out, numbers and strings as `JSON.stringify` writes
 * them. For the JSON data a ledger holds this is the JSON Canonicalization
 * Scheme (RFC 8785), so other tools (or a contract) can recompute the hashes.
 * Values JSON cannot hold faithfully (non-finite numbers, bigints, functions)
 * are refused rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The hash a record must carry: SHA-256 of its canonical JSON without `hash`. */
export function recordHash(record: Omit<LedgerRecord, 'hash'> & { hash?: string }): string {
  const { hash: _hash, ...body } = record;
  return sha256Hex(canonicalJson(body));
}

/** The NDJSON line of a record (canonical too, so the file is byte-for-byte reproducible). */
export function recordLine(record: LedgerRecord): string {
  return `${canonicalJson(record)}\n`;
}
