import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * One line of the event log. `t` is simulated time in seconds and `type` names
 * what happened: a message type (`parts.cfp`), `state` for an agent's state
 * change, or a world event. The rest depends on the type.
 */
export interface LogRecord {
  t: number;
  type: string;
  [field: string]: unknown;
}

/** Where a log stands at a checkpoint: its records, the bytes written, and the SHA-256 of those bytes. */
export interface LogPosition {
  records: number;
  bytes: number;
  sha256: string;
}

/** A resumed run's log did not come out as its checkpoint says. */
export class LogDivergence extends Error {
  override name = 'LogDivergence';
}

export type LogListener = (record: LogRecord, line: string) => void;

const FLUSH_CHARS = 1 << 16;

/**
 * The run's event log: NDJSON, hashed as it is written. Its SHA-256 is the
 * run's `logHash`, so two runs are identical exactly when their logs are. A
 * file, when asked for, is written beside its final name and renamed only when
 * the run ends well: an interrupted run leaves no half-written log.
 */
export class EventLog {
  private hash: Hash = createHash('sha256');
  /** Lines not yet hashed; a string grown by concatenation (V8 ropes) is cheaper than an array join. */
  private chunk = '';
  private fd: number | undefined;
  private listeners: LogListener[] = [];
  private _count = 0;
  private _bytes = 0;
  private finished: { logHash: string; events: number } | undefined;

  /**
   * `resuming`: the run replays up to a checkpoint first; nothing is written
   * until `reattach` finds the replayed lines equal to the file's prefix.
   * `keepPartial`: a failed run leaves its partial file (a checkpoint points into it).
   */
  constructor(
    private readonly path?: string,
    private readonly options: { resuming?: boolean; keepPartial?: boolean } = {},
  ) {
    if (path && !options.resuming) this.fd = openSync(`${path}.partial`, 'w');
  }

  get count(): number {
    return this._count;
  }

  /** Calls `listener` for every record appended from now on (viewer, tests, bridges). */
  subscribe(listener: LogListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  append(record: LogRecord): void {
    this.appendLine(JSON.stringify(record), record);
  }

  /**
   * Appends a message as the bus delivered it. The hot path of big runs: the
   * line is built directly, and a record object only if someone listens.
   */
  appendMessage(m: { time: number; type: string; id: string; from: string; to: string; conversation: string; payload: unknown }): void {
    const line =
      `{"t":${JSON.stringify(m.time)},"type":${JSON.stringify(m.type)},"id":${JSON.stringify(m.id)},"from":${JSON.stringify(m.from)},` +
      `"to":${JSON.stringify(m.to)},"conversation":${JSON.stringify(m.conversation)},"payload":${JSON.stringify(m.payload)}}`;
    this.appendLine(
      line,
      this.listeners.length > 0 ? { t: m.time, type: m.type, id: m.id, from: m.from, to: m.to, conversation: m.conversation, payload: m.payload } : undefined,
    );
  }

  /**
   * Appends an agent's state change. The hot path of big runs: the line is
   * built directly, and a record object only if someone listens.
   */
  appendState(t: number, agent: string, state: string): void {
    const line = `{"t":${JSON.stringify(t)},"type":"state","agent":${JSON.stringify(agent)},"state":${JSON.stringify(state)}}`;
    this.appendLine(line, this.listeners.length > 0 ? { t, type: 'state', agent, state } : undefined);
  }

  private appendLine(line: string, record: LogRecord | undefined): void {
    if (this.finished) throw new Error('event log is already finished');
    this._count++;
    this.chunk += line + '\n';
    if (this.chunk.length >= FLUSH_CHARS) this.flush();
    for (const l of this.listeners) l(record!, line);
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    const text = this.chunk;
    this.chunk = '';
    this.hash.update(text);
    this._bytes += Buffer.byteLength(text);
    if (this.fd !== undefined) writeSync(this.fd, text);
  }

  /** Flushes to disk (fsync) and says where the log stands, for a checkpoint. */
  position(): LogPosition {
    this.flush();
    if (this.fd !== undefined) fsyncSync(this.fd);
    return { records: this._count, bytes: this._bytes, sha256: this.hash.copy().digest('hex') };
  }

  /**
   * Ends a resumed run's replay: the lines replayed so far must be those the
   * checkpoint recorded, and the interrupted run's partial file must start with
   * them. The file is cut after them (what the interrupted run wrote past its
   * checkpoint is written again) and writing goes on from there.
   */
  reattach(at: LogPosition): void {
    const here = this.position();
    if (here.records !== at.records || here.sha256 !== at.sha256) {
      throw new LogDivergence(`the replayed event log differs from the checkpoint's (${here.records} records, sha256 ${here.sha256.slice(0, 12)}…; the checkpoint has ${at.records}, ${at.sha256.slice(0, 12)}…)`);
    }
    if (!this.path) return;
    const partial = `${this.path}.partial`;
    let fd: number;
    try {
      fd = openSync(partial, 'r+');
    } catch {
      throw new LogDivergence(`${partial}: the interrupted run's event log is missing (it is needed to resume)`);
    }
    try {
      if (statSync(partial).size < at.bytes) throw new LogDivergence(`${partial}: shorter (${statSync(partial).size} bytes) than at the checkpoint (${at.bytes} bytes)`);
      const prefix = createHash('sha256');
      const buffer = Buffer.alloc(1 << 20);
      for (let offset = 0; offset < at.bytes; ) {
        const n = readSync(fd, buffer, 0, Math.min(buffer.length, at.bytes - offset), offset);
        if (n === 0) break;
        prefix.update(buffer.subarray(0, n));
        offset += n;
      }
      if (prefix.digest('hex') !== at.sha256) throw new LogDivergence(`${partial}: its first ${at.bytes} bytes are not the ones the checkpoint recorded`);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    // What the interrupted run wrote after its checkpoint is cut; writing goes on after the prefix.
    ftruncateSync(fd, at.bytes);
    closeSync(fd);
    this.fd = openSync(partial, 'a');
  }

  /** Ends the log: returns its hash and moves the file into place. */
  finish(): { logHash: string; events: number } {
    if (this.finished) return this.finished;
    this.flush();
    if (this.fd !== undefined) {
      closeSync(this.fd);
      renameSync(`${this.path}.partial`, this.path!);
      this.fd = undefined;
    }
    this.finished = { logHash: this.hash.digest('hex'), events: this._count };
    return this.finished;
  }

  /** Leaves the log unfinished on disk (`<file>.partial`, flushed and fsync'd) for a later resume. */
  suspend(): LogPosition {
    const at = this.position();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.finished = { logHash: at.sha256, events: at.records };
    return at;
  }

  /** Drops the log after a failed run, removing any partial file. */
  abort(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      if (this.options.keepPartial) {
        this.fd = undefined;
        return;
      }
      try {
        unlinkSync(`${this.path}.partial`);
      } catch {
        /* already gone */
      }
      this.fd = undefined;
    }
  }
}
