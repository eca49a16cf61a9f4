import { readFileSync } from 'node:fs';
import type { LogRecord } from './event-log.js';

/** A log file that cannot be read as an event log: says which file and line. */
export class LogFileError extends Error {
  override name = 'LogFileError';
}

/**
 * Reads an event log (NDJSON, as `run --log` writes it) into records. Every
 * line must be a JSON object with a finite `t` that never goes back and a
 * string `type`; the first names the run (`run.started`).
 */
export function readEventLog(path: string): LogRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LogFileError(`${path}: cannot read the event log (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const records: LogRecord[] = [];
  let last = -Infinity;
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim() === '') continue;
    let r: unknown;
    try {
      r = JSON.parse(raw);
    } catch (e) {
      throw new LogFileError(`${path}:${line}: not JSON (${(e as Error).message})`);
    }
    const rec = r as Partial<LogRecord> | null;
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) throw new LogFileError(`${path}:${line}: a record must be a JSON object`);
    if (typeof rec.t !== 'number' || !Number.isFinite(rec.t)) throw new LogFileError(`${path}:${line}: "t" must be a finite number`);
    if (typeof rec.type !== 'string') throw new LogFileError(`${path}:${line}: "type" must be a string`);
    if (rec.t < last) throw new LogFileError(`${path}:${line}: time goes back (${rec.t} after ${last})`);
    last = rec.t;
    records.push(rec as LogRecord);
  }
  if (records.length === 0) throw new LogFileError(`${path}: the event log is empty`);
  if (records[0].type !== 'run.started') throw new LogFileError(`${path}:1: an event log starts with "run.started", found "${records[0].type}"`);
  return records;
}
