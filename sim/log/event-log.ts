import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

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
  private finished: { logHash: string; events: number } | undefined;

  constructor(private readonly path?: string) {
    if (path) this.fd = openSync(`${path}.partial`, 'w');
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
    if (this.fd !== undefined) writeSync(this.fd, text);
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

  /** Drops the log after a failed run, removing any partial file. */
  abort(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      try {
        unlinkSync(`${this.path}.partial`);
      } catch {
        /* already gone */
      }
      this.fd = undefined;
    }
  }
}
