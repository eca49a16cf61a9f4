import { existsSync, readFileSync } from 'node:fs';
import { GENESIS, LedgerRecordSchema, recordHash, type LedgerRecord } from './record.js';

/**
 * What is wrong with a ledger, at its first broken line:
 * - `incomplete`: the last line has no newline (a write cut short by a crash);
 * - `malformed`: not JSON, or not a ledger record;
 * - `hash`: the record's content does not match its hash (it was edited);
 * - `order`: not the next seq (records removed, duplicated or reordered);
 * - `link`: `prev` is not the previous record's hash (the one before was replaced, hash and all);
 * - `duplicate`: an event id that is in the ledger already.
 */
export type LedgerProblemKind = 'incomplete' | 'malformed' | 'hash' | 'order' | 'link' | 'duplicate';

export interface LedgerProblem {
  kind: LedgerProblemKind;
  /** 1-based line number in the file. */
  line: number;
  seq?: number;
  id?: string;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records that verified, all before the problem if there is one. */
  records: number;
  /** Last verified record: the chain's head. */
  head?: { seq: number; hash: string };
  /** Length in bytes of the verified prefix of the file (where an incomplete tail starts). */
  validBytes: number;
  problem?: LedgerProblem;
}

function name(line: number, r?: { seq?: number; id?: string }): string {
  return r?.seq !== undefined ? `record seq ${r.seq} (event ${r.id}) at line ${line}` : `line ${line}`;
}

/**
 * Re-reads a ledger and recomputes its chain: every record's hash, seq and
 * link to the previous one. Stops at the first broken record and names it.
 * `onRecord` sees each verified record (the file port restores its state
 * through it).
 */
export function verifyLedgerText(text: string, onRecord?: (record: LedgerRecord) => void): VerifyResult {
  const lines = text.split('\n');
  // Every record ends with a newline, so the piece after the last one is empty unless a write was cut short.
  const tail = lines.pop();
  let expectedSeq = 0;
  let prev = GENESIS;
  let validBytes = 0;
  let head: VerifyResult['head'];
  const ids = new Map<string, number>();
  const fail = (problem: LedgerProblem): VerifyResult => ({ ok: false, records: expectedSeq, head, validBytes, problem });

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return fail({ kind: 'malformed', line: lineNo, message: `line ${lineNo} is not JSON` });
    }
    const shape = LedgerRecordSchema.safeParse(parsed);
    if (!shape.success) {
      const issue = shape.error.issues[0];
      return fail({ kind: 'malformed', line: lineNo, message: `line ${lineNo} is not a ledger record: ${issue.path.join('.') || '(record)'}: ${issue.message}` });
    }
    const r = shape.data as LedgerRecord;
    if (recordHash(r) !== r.hash) {
      return fail({ kind: 'hash', line: lineNo, seq: r.seq, id: r.id, message: `${name(lineNo, r)} was altered: its content does not match its hash` });
    }
    if (r.seq !== expectedSeq) {
      return fail({
        kind: 'order',
        line: lineNo,
        seq: r.seq,
        id: r.id,
        message: `${name(lineNo, r)} is out of place: expected seq ${expectedSeq} (records were removed, duplicated or reordered)`,
      });
    }
    if (r.prev !== prev) {
      return fail({
        kind: 'link',
        line: lineNo,
        seq: r.seq,
        id: r.id,
        message: `${name(lineNo, r)} does not link to the record before it: record seq ${r.seq - 1} was replaced`,
      });
    }
    const earlier = ids.get(r.id);
    if (earlier !== undefined) {
      return fail({ kind: 'duplicate', line: lineNo, seq: r.seq, id: r.id, message: `${name(lineNo, r)} repeats event ${r.id}, recorded at seq ${earlier}` });
    }
    ids.set(r.id, r.seq);
    onRecord?.(r);
    prev = r.hash;
    head = { seq: r.seq, hash: r.hash };
    expectedSeq++;
    validBytes += Buffer.byteLength(raw) + 1;
  }
  if (tail) {
    const lineNo = lines.length + 1;
    return fail({
      kind: 'incomplete',
      line: lineNo,
      message: `line ${lineNo} is incomplete (${Buffer.byteLength(tail)} bytes, no newline): a write was cut short; the ledger's last whole record is on line ${lineNo - 1}`,
    });
  }
  return { ok: true, records: expectedSeq, head, validBytes };
}

/** Verifies a ledger file (a missing file is an empty, valid ledger). */
export function verifyLedgerFile(path: string, onRecord?: (record: LedgerRecord) => void): VerifyResult {
  if (!existsSync(path)) return { ok: true, records: 0, validBytes: 0 };
  return verifyLedgerText(readFileSync(path, 'utf8'), onRecord);
}
