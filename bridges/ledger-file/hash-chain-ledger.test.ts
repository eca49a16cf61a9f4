import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwinEvent } from '../../agents/ports/ledger-port.js';
import { HashChainLedger, LedgerCorruptError } from './hash-chain-ledger.js';
import { canonicalJson, GENESIS, recordHash, recordLine, type LedgerRecord } from './record.js';
import { verifyLedgerFile, verifyLedgerText } from './verify.js';

const event = (n: number, machine = 'm-1'): TwinEvent => ({
  id: `${machine}:${n}`,
  time: n * 60,
  type: n % 2 ? 'repair.requested' : 'repair.completed',
  machine,
  payload: { machine, workOrder: `wo-${n}`, nested: { z: 1, a: [n, { y: true, b: null }] } },
});

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  path = join(dir, 'ledger.ndjson');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lines = () => readFileSync(path, 'utf8').split('\n').slice(0, -1);
const writeLines = (ls: string[]) => writeFileSync(path, ls.map((l) => `${l}\n`).join(''));
function fileWith(n: number): void {
  const ledger = new HashChainLedger({ path });
  for (let i = 1; i <= n; i++) ledger.append(event(i));
  ledger.close();
}

describe('canonical JSON', () => {
  it('sorts keys at every depth, leaves out undefined and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x', u: undefined } })).toBe('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([undefined, 'é', -0, 1e21])).toBe('[null,"é",0,1e+21]');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ x: 1n })).toThrow(/bigint/);
  });
});

describe('hash-chained ledger in memory', () => {
  it('chains records: seq from 0, prev is the hash before, hash over the canonical record', () => {
    const ledger = new HashChainLedger();
    const receipts = [1, 2, 3].map((n) => ledger.append(event(n)));
    const records = ledger.records();
    expect(receipts.map((r) => [r.event, r.seq, r.duplicate])).toEqual([
      ['m-1:1', 0, false],
      ['m-1:2', 1, false],
      ['m-1:3', 2, false],
    ]);
    expect(records[0].prev).toBe(GENESIS);
    expect(records[1].prev).toBe(records[0].hash);
    expect(records[2].hash).toBe(receipts[2].hash);
    for (const r of records) expect(recordHash(r)).toBe(r.hash);
    expect(verifyLedgerText(records.map(recordLine).join(''))).toMatchObject({ ok: true, records: 3, head: { seq: 2, hash: receipts[2].hash } });
  });

  it('answers a known event id with its original receipt and writes nothing', () => {
    const ledger = new HashChainLedger();
    const first = ledger.append(event(1));
    ledger.append(event(2));
    expect(ledger.append(event(1))).toEqual({ ...first, duplicate: true });
    expect(ledger.size).toBe(2);
  });

  it('hashes exactly as the file does', () => {
    const memory = new HashChainLedger();
    const file = new HashChainLedger({ path });
    for (const n of [1, 2, 3]) expect(file.append(event(n))).toEqual(memory.append(event(n)));
    expect(lines()).toEqual(memory.records().map((r) => recordLine(r).trimEnd()));
  });
});

describe('hash-chained ledger file', () => {
  it('appends canonical lines that verify', () => {
    fileWith(3);
    expect(lines()).toHaveLength(3);
    const first = JSON.parse(lines()[0]) as LedgerRecord;
    expect(lines()[0]).toBe(canonicalJson(first));
    expect(Object.keys(first)).toEqual(['hash', 'id', 'machine', 'payload', 'prev', 'seq', 'time', 'type']);
    expect(verifyLedgerFile(path)).toMatchObject({ ok: true, records: 3, head: { seq: 2 } });
  });

  it('continues the chain when reopened and does not write a known id twice', () => {
    const first = new HashChainLedger({ path });
    const r1 = first.append(event(1));
    const r2 = first.append(event(2));
    first.close();
    expect(() => first.append(event(3))).toThrow(/closed/);

    const again = new HashChainLedger({ path });
    expect([again.size, again.has('m-1:2')]).toEqual([2, true]);
    expect(again.append(event(1))).toEqual({ ...r1, duplicate: true });
    const r3 = again.append(event(3));
    expect(r3.seq).toBe(2);
    expect((JSON.parse(lines()[2]) as LedgerRecord).prev).toBe(r2.hash);
    expect(lines()).toHaveLength(3);
    expect(verifyLedgerFile(path).ok).toBe(true);
  });

  it('names a record whose payload was tampered with', () => {
    fileWith(4);
    const ls = lines();
    ls[2] = ls[2].replace('"wo-3"', '"wo-9"');
    writeLines(ls);
    const result = verifyLedgerFile(path);
    expect(result).toMatchObject({ ok: false, records: 2, problem: { kind: 'hash', line: 3, seq: 2, id: 'm-1:3' } });
    expect(result.problem!.message).toMatch(/record seq 2 \(event m-1:3\) at line 3 was altered/);
    expect(() => new HashChainLedger({ path })).toThrow(LedgerCorruptError);
  });

  it('names the record after one that was replaced with a fresh hash', () => {
    fileWith(3);
    const ls = lines();
    const forged = JSON.parse(ls[1]) as LedgerRecord;
    forged.payload = { ...forged.payload, workOrder: 'forged' };
    forged.hash = recordHash(forged);
    ls[1] = canonicalJson(forged);
    writeLines(ls);
    expect(verifyLedgerFile(path).problem).toMatchObject({ kind: 'link', line: 3, seq: 2, message: expect.stringMatching(/seq 1 was replaced/) });
  });

  it('detects a deleted line', () => {
    fileWith(4);
    writeLines(lines().filter((_, i) => i !== 1));
    expect(verifyLedgerFile(path).problem).toMatchObject({ kind: 'order', line: 2, seq: 2, id: 'm-1:3', message: expect.stringMatching(/expected seq 1/) });
  });

  it('detects reordered lines', () => {
    fileWith(4);
    const [a, b, c, d] = lines();
    writeLines([a, c, b, d]);
    expect(verifyLedgerFile(path).problem).toMatchObject({ kind: 'order', line: 2, seq: 2 });
  });

  it('detects an event id recorded twice', () => {
    const r0 = { seq: 0, id: 'x', time: 0, type: 'parts.cfp', payload: {}, prev: GENESIS };
    const h0 = recordHash(r0);
    const r1 = { ...r0, seq: 1, prev: h0 };
    const text = recordLine({ ...r0, hash: h0 }) + recordLine({ ...r1, hash: recordHash(r1) });
    expect(verifyLedgerText(text).problem).toMatchObject({ kind: 'duplicate', line: 2, id: 'x' });
  });

  it('reports garbage as malformed', () => {
    fileWith(2);
    writeLines([lines()[0], '{"seq":1}', lines()[1]]);
    expect(verifyLedgerFile(path).problem).toMatchObject({ kind: 'malformed', line: 2 });
    writeLines([lines()[0], 'not json']);
    expect(verifyLedgerFile(path).problem).toMatchObject({ kind: 'malformed', line: 2, message: 'line 2 is not JSON' });
  });

  it('reports a half-written last line, and cuts it off only when asked', () => {
    fileWith(3);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 20));
    const result = verifyLedgerFile(path);
    expect(result).toMatchObject({ ok: false, records: 2, problem: { kind: 'incomplete', line: 3 } });
    expect(() => new HashChainLedger({ path })).toThrow(/line 3 is incomplete/);

    const recovered = new HashChainLedger({ path, incompleteTail: 'truncate' });
    expect(recovered.recovered).toEqual({ line: 3, bytes: result.validBytes });
    expect(recovered.size).toBe(2);
    expect(recovered.append(event(3)).seq).toBe(2);
    expect(verifyLedgerFile(path)).toMatchObject({ ok: true, records: 3 });
  });

  it('fails at once on a path it cannot write', () => {
    expect(() => new HashChainLedger({ path: join(dir, 'missing', 'ledger.ndjson') })).toThrow(/ENOENT/);
  });

  it('takes an empty or missing file as an empty ledger', () => {
    expect(verifyLedgerFile(path)).toEqual({ ok: true, records: 0, validBytes: 0 });
    writeFileSync(path, '');
    expect(new HashChainLedger({ path }).append(event(1)).seq).toBe(0);
  });
});
