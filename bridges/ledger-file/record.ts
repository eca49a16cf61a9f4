import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../agents/ledger/canonical-json.js';

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

export { canonicalJson } from '../../agents/ledger/canonical-json.js';

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
