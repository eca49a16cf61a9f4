import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { oneLine } from '../../../../agents/protocol/one-line.js';

/**
 * What an agent host at the edge did while cut off from its plant (link
 * lost, an anomaly, a machine stopped, a cobot held, a state change), kept
 * on disk until the plant has it: an append-only NDJSON journal, one
 * fsync'd line per change, as the chain outbox (`bridges/evm/outbox`) keeps
 * twin events:
 *
 *     {"k":"journal","id":"<uuid>","host":"north"}        first line (`base`: first seq after a compaction)
 *     {"k":"rec","rec":{"id":"<uuid>:7","seq":7,"wallMs":…,"t":…,"type":"machine.stopped",…}}
 *     {"k":"delivered","upTo":7}                          the plant has every record up to seq 7
 *
 * Record ids are the journal's id and the record's sequence number, so the
 * plant drops a record it has already (a send retried after a crash or a
 * lost acknowledgement) and a new journal never collides with an old one.
 * A crash mid-write leaves at most a torn last line: it is cut off with a
 * warning (its writer never went on); the lines before it are kept. Any
 * other bad line is an error naming the file and line.
 */

export interface EdgeRecord {
  id: string;
  seq: number;
  /** When it happened, Unix ms (the plant logs it with this original time). */
  wallMs: number;
  /** The host's simulated time then (it follows the plant's clock), seconds. */
  t: number;
  /** What happened: link.lost, link.back, machine.anomaly, machine.stopped, cobot.held, state, … */
  type: string;
  [field: string]: unknown;
}

type Line = { k: 'journal'; id: string; host: string; base?: number } | { k: 'rec'; rec: EdgeRecord } | { k: 'delivered'; upTo: number };

export class EdgeJournalError extends Error {
  constructor(path: string, line: number, detail: string) {
    // Details quote the file (a host, a record id): kept to one line.
    super(`edge journal ${path}, line ${line}: ${oneLine(detail)}`);
    this.name = 'EdgeJournalError';
  }
}

export class EdgeJournal {
  /** This journal's id: the prefix of its record ids. */
  readonly id: string;
  private records: EdgeRecord[] = [];
  private deliveredUpTo = -1;
  private nextSeq = 0;

  private constructor(
    readonly path: string,
    readonly host: string,
    id: string,
  ) {
    this.id = id;
  }

  /** Opens the journal at `path` (created when missing), replaying what it holds. */
  static open(path: string, host: string, onWarning: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): EdgeJournal {
    if (!existsSync(path)) {
      if (!existsSync(dirname(path))) throw new Error(`edge journal ${path}: the folder ${dirname(path)} does not exist`);
      const j = new EdgeJournal(path, host, randomUUID());
      j.write({ k: 'journal', id: j.id, host });
      return j;
    }
    const data = readFileSync(path);
    const end = data.lastIndexOf(0x0a) + 1; // what follows the last newline is a torn line
    const lines = data.subarray(0, end).toString('utf8').split('\n').slice(0, -1);
    if (lines.length === 0) throw new EdgeJournalError(path, 1, 'no header line (not an edge journal)');
    const header = parse(path, lines[0], 1);
    if (header.k !== 'journal') throw new EdgeJournalError(path, 1, `the first line must be the journal header, got "${header.k}"`);
    if (header.host !== host) throw new EdgeJournalError(path, 1, `this journal belongs to host "${header.host}", not "${host}"`);
    const j = new EdgeJournal(path, host, header.id);
    if (header.base !== undefined) {
      j.nextSeq = header.base;
      j.deliveredUpTo = header.base - 1;
    }
    lines.slice(1).forEach((raw, i) => j.apply(parse(path, raw, i + 2), i + 2));
    if (end < data.length) {
      onWarning(`edge journal ${path}: line ${lines.length + 1} is incomplete (${data.length - end} bytes, a crash mid-write); cut off, ${lines.length} earlier lines kept`);
      truncateSync(path, end);
    }
    return j;
  }

  /** Records one thing that happened; it is on disk when this returns. */
  append(type: string, t: number, fields: Record<string, unknown> = {}, wallMs = Date.now()): EdgeRecord {
    const seq = this.nextSeq;
    const rec: EdgeRecord = { ...fields, id: `${this.id}:${seq}`, seq, wallMs, t, type };
    this.write({ k: 'rec', rec });
    this.apply({ k: 'rec', rec }, 0);
    return rec;
  }

  /** Records not yet in the plant's hands, oldest first. */
  pending(): EdgeRecord[] {
    return this.records.filter((r) => r.seq > this.deliveredUpTo);
  }

  /** Every record kept, delivered or not (for tests and inspection). */
  all(): readonly EdgeRecord[] {
    return this.records;
  }

  /** The plant has every record up to `upTo`: they are not sent again. */
  delivered(upTo: number): void {
    if (upTo <= this.deliveredUpTo) return;
    if (upTo >= this.nextSeq) throw new RangeError(`edge journal ${this.path}: delivered up to ${upTo}, but the last record is ${this.nextSeq - 1}`);
    this.write({ k: 'delivered', upTo });
    this.deliveredUpTo = upTo;
  }

  private apply(line: Line, lineNo: number): void {
    const fail = (detail: string): never => {
      throw new EdgeJournalError(this.path, lineNo, detail);
    };
    if (line.k === 'journal') fail('a second journal header');
    else if (line.k === 'rec') {
      if (line.rec.seq !== this.nextSeq) fail(`record seq ${line.rec.seq}, expected ${this.nextSeq}`);
      if (line.rec.id !== `${this.id}:${line.rec.seq}`) fail(`record id ${line.rec.id} is not of this journal (${this.id})`);
      this.records.push(line.rec);
      this.nextSeq++;
    } else {
      if (line.upTo >= this.nextSeq) fail(`delivered up to ${line.upTo}, but the last record is ${this.nextSeq - 1}`);
      this.deliveredUpTo = Math.max(this.deliveredUpTo, line.upTo);
    }
  }

  private write(line: Line): void {
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(line)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Rewrites the journal without the records the plant has (header, then a
   * `delivered` line that keeps the numbering), through a new file renamed
   * over the old one: a crash leaves the old journal or the new, whole.
   */
  compact(): void {
    if (this.pending().length > 0 || this.records.length === 0) return;
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w');
    try {
      // The header's base keeps the numbering going after a reopen: ids are never reused.
      writeSync(fd, `${JSON.stringify({ k: 'journal', id: this.id, host: this.host, base: this.nextSeq } satisfies Line)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.records = [];
  }
}

function parse(path: string, raw: string, lineNo: number): Line {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new EdgeJournalError(path, lineNo, 'not JSON');
  }
  const o = v as Partial<Record<string, unknown>> | null;
  if (!o || typeof o !== 'object') throw new EdgeJournalError(path, lineNo, 'not a JSON object');
  if (o.k === 'journal' && typeof o.id === 'string' && typeof o.host === 'string' && (o.base === undefined || (Number.isSafeInteger(o.base) && (o.base as number) >= 0))) return o as Line;
  if (o.k === 'journal') throw new EdgeJournalError(path, lineNo, 'a journal header needs id, host and an optional base, a whole number from 0 to 2^53 - 1');
  if (o.k === 'delivered' && Number.isInteger(o.upTo)) return o as Line;
  if (o.k === 'rec') {
    const r = o.rec as Partial<EdgeRecord> | undefined;
    if (r && typeof r === 'object' && typeof r.id === 'string' && Number.isInteger(r.seq) && typeof r.wallMs === 'number' && typeof r.t === 'number' && typeof r.type === 'string') return o as Line;
    throw new EdgeJournalError(path, lineNo, 'a record needs id, seq, wallMs, t and type');
  }
  // A kind that is an array or object is named, not printed (one nested too deep overflowed JSON.stringify).
  const kind = o.k !== null && typeof o.k === 'object' ? (Array.isArray(o.k) ? 'an array' : 'an object') : JSON.stringify(o.k);
  throw new EdgeJournalError(path, lineNo, `unknown line kind ${kind}`);
}
