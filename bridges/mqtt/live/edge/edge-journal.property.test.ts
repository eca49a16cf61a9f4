import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { mutatedBytes, mutatedJson, mutatedText, outcome, type Json } from '../../../../test/support/fuzz.js';
import { expectOneLine } from '../../../../test/support/one-line.js';
import { EdgeJournal, EdgeJournalError, type EdgeRecord } from './edge-journal.js';

/**
 * Hardened input: `EdgeJournal.open` replays whatever the journal file
 * holds. Any bytes: a journal whose records are the file's record lines, in
 * order and numbered without a gap (a torn last line cut off with one
 * warning, every line before it kept), or an EdgeJournalError naming the
 * file and a line, one line, with the file left byte for byte.
 */

const HOST = 'north';
const dir = mkdtempSync(join(tmpdir(), 'hf-edge-journal-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `j${++n}.ndjson`);

type Op = { op: 'append'; type: string; t: number; wallMs: number; fields: Record<string, Json> } | { op: 'delivered'; back: number } | { op: 'compact' };
const append = fc.record({
  op: fc.constant('append' as const),
  type: fc.constantFrom('link.lost', 'link.back', 'machine.anomaly', 'machine.stopped', 'cobot.held', 'state'),
  t: fc.double({ min: 0, max: 1e7, noNaN: true }).map((v) => v + 0),
  wallMs: fc.integer({ min: 0, max: 2 ** 42 }),
  fields: fc.dictionary(fc.constantFrom('machine', 'agent', 'value', 'cause', 'note'), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, { maxKeys: 2 }).map((f) => JSON.parse(JSON.stringify(f)) as Record<string, Json>),
});
const ops = fc.array(fc.oneof({ weight: 5, arbitrary: append }, { weight: 2, arbitrary: fc.record({ op: fc.constant('delivered' as const), back: fc.nat(3) }) }, { weight: 1, arbitrary: fc.constant({ op: 'compact' as const }) }), { maxLength: 10 });

/** A journal written by EdgeJournal itself, and what it then held. */
function write(list: Op[]): { text: string; all: EdgeRecord[]; pending: EdgeRecord[] } {
  const path = freshPath();
  const j = EdgeJournal.open(path, HOST);
  for (const o of list) {
    if (o.op === 'append') j.append(o.type, o.t, o.fields, o.wallMs);
    else if (o.op === 'delivered') {
      const last = j.all().at(-1)?.seq;
      if (last !== undefined) j.delivered(Math.max(0, last - o.back));
    } else j.compact();
  }
  return { text: readFileSync(path, 'utf8'), all: [...j.all()], pending: j.pending() };
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** open's contract on one file's bytes. */
function open(bytes: Uint8Array): { ok: true; journal: EdgeJournal } | { ok: false; error: EdgeJournalError } {
  const path = freshPath();
  writeFileSync(path, bytes);
  const before = Buffer.from(bytes);
  const warnings: string[] = [];
  const r = outcome(() => EdgeJournal.open(path, HOST, (w) => warnings.push(w)), EdgeJournalError);
  const after = readFileSync(path);
  if (!r.ok) {
    const m = new RegExp(`^edge journal ${esc(path)}, line (\\d+): \\S`).exec(r.error.message);
    expect(m, r.error.message).not.toBeNull();
    const line = Number(m![1]);
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(Math.max(1, before.toString('utf8').split('\n').length));
    expectOneLine(r.error.message);
    // Nothing half written, nothing lost: a refused journal is left byte for byte.
    expect(after.equals(before)).toBe(true);
    expect(warnings).toEqual([]);
    return { ok: false, error: r.error as EdgeJournalError };
  }
  const j = r.value;
  const torn = before.length > 0 && before[before.length - 1] !== 0x0a;
  expect(warnings).toHaveLength(torn ? 1 : 0);
  for (const w of warnings) {
    expect(w).toMatch(new RegExp(`^edge journal ${esc(path)}: line \\d+ is incomplete`));
    expectOneLine(w);
  }
  // A torn last line is cut at the last newline, and only it.
  expect(after.equals(torn ? before.subarray(0, before.lastIndexOf(0x0a) + 1) : before)).toBe(true);
  // Every record line before it is kept, in order, numbered without a gap, ids of this journal and unique.
  const lines = after.toString('utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as { k: string; rec?: EdgeRecord });
  expect(j.all()).toEqual(lines.filter((l) => l.k === 'rec').map((l) => l.rec));
  j.all().forEach((rec, i) => {
    expect(Number.isSafeInteger(rec.seq)).toBe(true);
    if (i > 0) expect(rec.seq).toBe(j.all()[i - 1].seq + 1);
    expect(rec.id).toBe(`${j.id}:${rec.seq}`);
  });
  // Opening again reads the same journal (the cut file is whole).
  const again = EdgeJournal.open(path, HOST, () => expect.fail('a second warning'));
  expect([again.id, again.all(), again.pending()]).toEqual([j.id, j.all(), j.pending()]);
  return { ok: true, journal: j };
}

const header = (extra: Record<string, unknown> = {}) => `${JSON.stringify({ k: 'journal', id: 'J', host: HOST, ...extra })}\n`;

describe('edge journal, hardened', () => {
  test.prop([ops], { numRuns: 60 })('round trip: a journal EdgeJournal wrote opens to what it held', (list) => {
    const { text, all, pending } = write(list);
    const r = open(bytesOf(text));
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.journal.all(), r.journal.pending()]).toEqual([all, pending]);
  });

  test.prop([ops, fc.string({ minLength: 1, maxLength: 40 })], { numRuns: 60 })('a torn last line is cut with a warning; every record before it is kept', (list, torn) => {
    const { text, all, pending } = write(list);
    const r = open(bytesOf(text + torn.replace(/\n/g, '')));
    expect(r.ok).toBe(true);
    if (r.ok) expect([r.journal.all(), r.journal.pending()]).toEqual([all, pending]);
  });

  test.prop([ops, fc.nat(), fc.nat()], { numRuns: 150 })('a line of a real journal with fields deleted, replaced, added or retyped: opens, or refused at a line', (list, pick, seed) => {
    const { text } = write(list);
    const lines = text.split('\n').slice(0, -1);
    const i = pick % lines.length;
    const [mutated] = fc.sample(mutatedJson(fc.constant(JSON.parse(lines[i]) as Json), 3), { seed, numRuns: 1 });
    lines[i] = JSON.stringify(mutated) ?? 'undefined';
    open(bytesOf(`${lines.join('\n')}\n`));
  });

  test.prop([mutatedText(ops.map((l) => write(l).text), 3)], { numRuns: 100 })('a real journal with lines deleted, duplicated, swapped, edited or torn', (text) => {
    open(bytesOf(text));
  });

  test.prop([mutatedBytes(ops.map((l) => bytesOf(write(l).text)), 3)], { numRuns: 100 })('a real journal with bits flipped, bytes set, inserted or zeroed, or truncated', (bytes) => {
    open(bytes);
  });

  test.prop([fc.uint8Array({ maxLength: 200 })], { numRuns: 100 })('arbitrary bytes: opens, or refused at a line', (bytes) => {
    open(bytes);
  });

  test.prop([fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }), fc.boolean()], { numRuns: 100 })('a header, then arbitrary JSON lines: opens, or refused at a line', (values, torn) => {
    const text = header() + values.map((v) => JSON.stringify(v)).join('\n');
    open(bytesOf(torn ? text : `${text}\n`));
  });

  it('refuses a header or record line with a line break in what it quotes, one line (was two lines)', () => {
    const host = open(bytesOf(`${JSON.stringify({ k: 'journal', id: 'J', host: 'a\nforged' })}\n`));
    expect(host.ok || host.error.message).toMatch(/line 1: this journal belongs to host "a\\u000aforged", not "north"$/);
    const rec = open(bytesOf(`${header()}${JSON.stringify({ k: 'rec', rec: { id: 'x\u2028y', seq: 0, wallMs: 0, t: 0, type: 'state' } })}\n`));
    expect(rec.ok || rec.error.message).toMatch(/line 2: record id x\\u2028y is not of this journal \(J\)$/);
  });

  it('refuses a line kind nested too deep to print, at its line (was a RangeError)', () => {
    const r = open(bytesOf(`${header()}{"k":${'['.repeat(20000)}${']'.repeat(20000)}}\n`));
    expect(r.ok || r.error.message).toMatch(/line 2: unknown line kind an array$/);
  });

  it('refuses a header base past 2^53, at line 1 (was taken: past it two records got the same seq and id, and the plant drops one as a duplicate)', () => {
    const base = 2 ** 53;
    const rec = (seq: number) => JSON.stringify({ k: 'rec', rec: { id: `J:${seq}`, seq, wallMs: 0, t: 0, type: 'state' } });
    const r = open(bytesOf(`${header({ base })}${rec(base)}\n${rec(base)}\n`));
    expect(r.ok || r.error.message).toMatch(/line 1: a journal header needs id, host and an optional base/);
  });
});
