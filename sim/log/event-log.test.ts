import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';

describe('event log', () => {
  it('hashes exactly the NDJSON it writes', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hf-log-')), 'run.ndjson');
    const log = new EventLog(path);
    for (let i = 0; i < 5000; i++) log.append({ t: i, type: 'x', i });
    log.appendState(5000, 'm-1', 'down');
    const { logHash, events } = log.finish();
    const text = readFileSync(path, 'utf8');
    expect(events).toBe(5001);
    expect(text.split('\n').length).toBe(5002);
    expect(createHash('sha256').update(text).digest('hex')).toBe(logHash);
    expect(JSON.parse(text.trim().split('\n').at(-1)!)).toEqual({ t: 5000, type: 'state', agent: 'm-1', state: 'down' });
  });

  it('leaves no file behind when a run is aborted', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hf-log-')), 'run.ndjson');
    const log = new EventLog(path);
    log.append({ t: 0, type: 'x' });
    log.abort();
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.partial`)).toBe(false);
  });
});
