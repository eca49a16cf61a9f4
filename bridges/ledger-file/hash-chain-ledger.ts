import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, truncateSync, writeSync } from 'node:fs';
import type { LedgerPort, LedgerReceipt, TwinEvent } from '../../agents/ports/ledger-port.js';
import { GENESIS, recordHash, recordLine, type LedgerRecord } from './record.js';
import { verifyLedgerFile, type LedgerProblem } from './verify.js';

export interface HashChainLedgerOptions {
  /** The NDJSON file to append to; the ledger lives in memory when omitted. */
  path?: string;
  /** fsync every record before answering (durable against power loss, slower). */
  fsync?: boolean;
  /**
   * A half-written last line (a crash mid-write): `refuse` to open (default),
   * or `truncate` it away, which `recovered` then reports.
   */
  incompleteTail?: 'refuse' | 'truncate';
}

/** The ledger file does not verify: it is reported, never appended to. */
export class LedgerCorruptError extends Error {
  override name = 'LedgerCorruptError';
  constructor(
    readonly path: string,
    readonly problem: LedgerProblem,
  ) {
    super(`ledger ${path}: ${problem.message}`);
  }
}

/**
 * The local ledger port: an append-only, hash-chained NDJSON file (see
 * `record.ts` for the record and its hash), or the same chain in memory when
 * no path is given (DES runs). Appends are synchronous and answer with the
 * receipt directly.
 *
 * Opening a file verifies it and restores the chain's head and the ids it
 * holds, so a rerun or a restart continues the chain and an event already in
 * it is answered with its original receipt (`duplicate: true`), not written
 * again. A file that does not verify is refused with the broken line named.
 *
 * Each record reaches the file in one `write` on a descriptor opened for
 * appending, and the descriptor is closed again at once: a run has no teardown
 * hook to close it, and a crash can leave at most one partial last line.
 */
export class HashChainLedger implements LedgerPort {
  private head: { seq: number; hash: string } | undefined;
  private readonly receipts = new Map<string, { seq: number; hash: string }>();
  private readonly memory: LedgerRecord[] | undefined;
  private closed = false;
  /** Set when opening cut off a half-written last line. */
  readonly recovered: { line: number; bytes: number } | undefined;

  constructor(private readonly options: HashChainLedgerOptions = {}) {
    const path = options.path;
    if (path === undefined) {
      this.memory = [];
      return;
    }
    const result = verifyLedgerFile(path, (r) => this.receipts.set(r.id, { seq: r.seq, hash: r.hash }));
    if (!result.ok) {
      const problem = result.problem!;
      if (problem.kind !== 'incomplete' || options.incompleteTail !== 'truncate') throw new LedgerCorruptError(path, problem);
      truncateSync(path, result.validBytes);
      this.recovered = { line: problem.line, bytes: result.validBytes };
    }
    this.head = result.head;
    // Creates the file now, so an unusable path fails the run at once rather than every append.
    closeSync(openSync(path, 'a'));
  }

  /** Records in the ledger. */
  get size(): number {
    return this.head ? this.head.seq + 1 : 0;
  }

  has(eventId: string): boolean {
    return this.receipts.has(eventId);
  }

  /** The records of an in-memory ledger (as a file would hold them). */
  records(): readonly LedgerRecord[] {
    if (!this.memory) throw new Error('records() is for in-memory ledgers; verify or read the file instead');
    return this.memory;
  }

  append(event: TwinEvent): LedgerReceipt {
    if (this.closed) throw new Error('ledger is closed');
    const known = this.receipts.get(event.id);
    if (known) return { event: event.id, ...known, duplicate: true };
    const seq = this.size;
    const body: Omit<LedgerRecord, 'hash'> = {
      seq,
      id: event.id,
      time: event.time,
      type: event.type,
      ...(event.machine !== undefined ? { machine: event.machine } : {}),
      payload: event.payload,
      prev: this.head?.hash ?? GENESIS,
    };
    const hash = recordHash(body);
    const line = recordLine({ ...body, hash });
    if (this.memory) this.memory.push(JSON.parse(line) as LedgerRecord);
    else this.write(line);
    this.head = { seq, hash };
    this.receipts.set(event.id, this.head);
    return { event: event.id, seq, hash, duplicate: false };
  }

  /** Appends one line; on failure rolls the file back to where it was, so the chain stays whole. */
  private write(line: string): void {
    const fd = openSync(this.options.path!, 'a');
    try {
      const before = fstatSync(fd).size;
      try {
        const bytes = Buffer.from(line, 'utf8');
        const written = writeSync(fd, bytes);
        if (written !== bytes.length) throw new Error(`short write (${written} of ${bytes.length} bytes)`);
        if (this.options.fsync) fsyncSync(fd);
      } catch (e) {
        ftruncateSync(fd, before);
        throw e;
      }
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    this.closed = true;
  }
}
