import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdgeJournal } from './edge-journal.js';

const dir = mkdtempSync(join(tmpdir(), 'hf-edge-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `j${++n}.ndjson`);

describe('edge journal (append + fsync, one JSON line per record)', () => {
  it('keeps records across a reopen, in order, with ids of this journal; delivered ones are not pending again', () => {
    const path = fresh();
    const j = EdgeJournal.open(path, 'north');
    const a = j.append('link.lost', 10, { cause: 'broker connection lost' }, 1000);
    const b = j.append('machine.stopped', 12, { machine: 'press-1' }, 2000);
    expect([a.id, b.id]).toEqual([`${j.id}:0`, `${j.id}:1`]);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);

    const again = EdgeJournal.open(path, 'north');
    expect(again.id).toBe(j.id);
    expect(again.pending()).toEqual([a, b]);
    again.delivered(0);
    const c = again.append('cobot.held', 13, { agent: 'cobot-1' }, 3000);
    expect(c.seq).toBe(2);
    const third = EdgeJournal.open(path, 'north');
    expect(third.pending().map((r) => r.type)).toEqual(['machine.stopped', 'cobot.held']);
    expect(() => third.delivered(3)).toThrow('delivered up to 3, but the last record is 2');
  });

  it('a torn last line after a crash is cut off with a warning; every line before it is kept', () => {
    const path = fresh();
    const j = EdgeJournal.open(path, 'north');
    j.append('link.lost', 1);
    j.append('machine.anomaly', 2, { machine: 'press-1', channel: 'vibRms', value: 14 });
    appendFileSync(path, '{"k":"rec","rec":{"id":"x:2","se');
    const warnings: string[] = [];
    const reopened = EdgeJournal.open(path, 'north', (w) => warnings.push(w));
    expect(warnings).toEqual([`edge journal ${path}: line 4 is incomplete (32 bytes, a crash mid-write); cut off, 3 earlier lines kept`]);
    expect(reopened.pending().map((r) => r.type)).toEqual(['link.lost', 'machine.anomaly']);
    // The file is whole again: the next record follows on a line of its own.
    reopened.append('machine.stopped', 3);
    expect(EdgeJournal.open(path, 'north').pending().map((r) => r.seq)).toEqual([0, 1, 2]);
  });

  it('compacting drops what the plant has and keeps the numbering', () => {
    const path = fresh();
    const j = EdgeJournal.open(path, 'north');
    for (let i = 0; i < 5; i++) j.append('state', i);
    j.compact();
    expect(EdgeJournal.open(path, 'north').pending()).toHaveLength(5); // nothing delivered: nothing dropped
    j.delivered(4);
    j.compact();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
    const reopened = EdgeJournal.open(path, 'north');
    expect(reopened.pending()).toEqual([]);
    expect(reopened.append('link.lost', 9).seq).toBe(5);
  });

  it('bad input: a line that is not JSON, another host’s journal, a gap, a missing folder — each named with file and line', () => {
    const path = fresh();
    const j = EdgeJournal.open(path, 'north');
    j.append('link.lost', 1);
    expect(() => EdgeJournal.open(path, 'south')).toThrow(`edge journal ${path}, line 1: this journal belongs to host "north", not "south"`);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, [lines[0], 'not json', ''].join('\n'));
    expect(() => EdgeJournal.open(path, 'north')).toThrow(`edge journal ${path}, line 2: not JSON`);
    writeFileSync(path, [lines[0], JSON.stringify({ k: 'rec', rec: { id: `${j.id}:3`, seq: 3, wallMs: 1, t: 1, type: 'x' } }), ''].join('\n'));
    expect(() => EdgeJournal.open(path, 'north')).toThrow(`edge journal ${path}, line 2: record seq 3, expected 0`);
    writeFileSync(path, [lines[0], JSON.stringify({ k: 'rec', rec: { seq: 0 } }), ''].join('\n'));
    expect(() => EdgeJournal.open(path, 'north')).toThrow('line 2: a record needs id, seq, wallMs, t and type');
    expect(() => EdgeJournal.open(join(dir, 'no-such-dir', 'j.ndjson'), 'north')).toThrow(/the folder .*no-such-dir does not exist/);
  });
});
