import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { keccak256, toUtf8Bytes } from 'ethers';
import { afterAll, describe, expect, it } from 'vitest';
import type { TwinEvent } from '../../../agents/ports/ledger-port.js';
import { verifyProof } from '../../../agents/ledger/merkle/merkle.js';
import { mutatedBytes, mutatedJson, mutatedText, outcome, type Json } from '../../../test/support/fuzz.js';
import { expectOneLine } from '../../../test/support/one-line.js';
import { Outbox, OutboxCorruptError, type BatchRecord, type Seal, type Submitter } from './outbox.js';

/**
 * Hardened inputs: the outbox journal is read back on every open. Whatever
 * the file holds, opening either restores a consistent outbox (cutting a
 * torn last line with a warning) or throws an OutboxCorruptError naming the
 * line — never another exception — and a refused journal is left exactly
 * as it was: nothing half written.
 */

const dir = mkdtempSync(join(tmpdir(), 'outbox-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `j${files++}.ndjson`);

/** A chain that anchors what it is sent; `mined` decides whether receipts exist yet. */
class FakeChain implements Submitter {
  anchoredRoots = new Set<string>();
  private txs = 0;
  constructor(public mined: boolean) {}
  async submit(batch: BatchRecord) {
    this.anchoredRoots.add(batch.root);
    return { txHash: keccak256(toUtf8Bytes(`tx${this.txs++}`)) };
  }
  async receipt() {
    return this.mined ? { blockNumber: 7, status: 'success' as const } : undefined;
  }
  async anchored(root: string) {
    return this.mined && this.anchoredRoots.has(root);
  }
}

const event: fc.Arbitrary<TwinEvent> = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 12 }),
    time: fc.double({ min: 0, max: 1e9, noNaN: true }),
    type: fc.constantFrom('repair.requested', 'maintenance.completed', 'parts.received'),
    machine: fc.string({ maxLength: 8 }),
    payload: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) as fc.Arbitrary<Record<string, unknown>>,
  },
  { requiredKeys: ['id', 'time', 'type', 'payload'] },
  // As JSON holds it (a -0 is written as 0): what the journal can give back.
).map((e) => JSON.parse(JSON.stringify(e)) as TwinEvent);
const seal: fc.Arbitrary<Seal> = fc.record({
  signer: fc.constantFrom('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'),
  nonce: fc.nat(1000),
  timestamp: fc.nat(),
  signature: fc.constant(`0x${'ab'.repeat(65)}`),
});
type Op = { op: 'add'; event: TwinEvent; seal?: Seal } | { op: 'cut' } | { op: 'flush'; mined: boolean } | { op: 'reconcile' };
const add = fc.record({ op: fc.constant('add' as const), event, seal }, { requiredKeys: ['op', 'event'] });
const ops = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: add },
    { weight: 1, arbitrary: fc.constant({ op: 'cut' as const }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('flush' as const), mined: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant({ op: 'reconcile' as const }) },
  ),
  { minLength: 1, maxLength: 14 },
);

/** A journal written by the outbox itself, and the state it was left in. */
async function write(list: Op[]): Promise<{ text: string; state: ReturnType<typeof stateOf> }> {
  const path = freshPath();
  const box = new Outbox({ path, maxBatchSize: 3, maxBatchAgeMs: 0, now: () => 0, fsync: false });
  const chain = new FakeChain(true);
  for (const o of list) {
    if (o.op === 'add') box.add(o.event, o.seal);
    else if (o.op === 'cut') box.cut(true);
    else if (o.op === 'flush') {
      chain.mined = o.mined;
      await box.flush(chain);
    } else await box.reconcile({ anchored: async () => false });
  }
  return { text: readFileSync(path, 'utf8'), state: stateOf(box) };
}
/** The operations that write a journal: an event first, so the journal has a line. */
const journal = fc.tuple(add, ops).map(([first, rest]): Op[] => [first, ...rest]);

function stateOf(box: Outbox) {
  return { counts: box.counts(), batches: box.listBatches(), pending: box.pending(), nonces: [...box.lastNonces()] };
}

const isHash = (v: unknown) => typeof v === 'string' && /^0x[0-9a-fA-F]{64}$/.test(v);

/**
 * The open's contract on one journal's bytes: a consistent outbox (the file
 * unchanged, or cut at its last newline after a warning), or an
 * OutboxCorruptError naming a line of the file (the file unchanged).
 */
function open(bytes: Uint8Array): { ok: true; box: Outbox } | { ok: false; error: OutboxCorruptError } {
  const path = freshPath();
  writeFileSync(path, bytes);
  const before = Buffer.from(bytes);
  const warnings: string[] = [];
  const r = outcome(() => new Outbox({ path, maxBatchSize: 3, now: () => 0, fsync: false, onWarning: (w) => warnings.push(w) }), OutboxCorruptError);
  const after = readFileSync(path);
  if (!r.ok) {
    const e = r.error as OutboxCorruptError;
    const lines = before.length === 0 ? 0 : before.toString('utf8').split('\n').length;
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines);
    expect(e.message).toMatch(new RegExp(`^outbox ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line ${e.line}: \\S`));
    expectOneLine(e.message);
    // Nothing half written: a refused journal is left byte for byte.
    expect(after.equals(before)).toBe(true);
    return { ok: false, error: e };
  }
  const box = r.value;
  const torn = before.length > 0 && before[before.length - 1] !== 0x0a;
  expect(box.recovered !== undefined).toBe(torn);
  expect(warnings).toHaveLength(torn ? 1 : 0);
  // A torn last line is cut at the last newline, and only it.
  expect(after.equals(torn ? before.subarray(0, before.lastIndexOf(0x0a) + 1) : before)).toBe(true);
  if (torn) expect(box.recovered!.bytes).toBe(after.length);
  // The state is consistent: every batch's events exist, once, and prove against its root.
  const batched = new Set<string>();
  for (const b of box.listBatches()) {
    expect(isHash(b.batchId) && isHash(b.root)).toBe(true);
    expect(['pending', 'sent', 'confirmed']).toContain(b.status);
    if (b.txHash !== undefined) expect(isHash(b.txHash)).toBe(true);
    if (b.blockNumber !== undefined) expect(Number.isSafeInteger(b.blockNumber) && b.blockNumber >= 0).toBe(true);
    for (const id of b.eventIds) {
      expect(batched.has(id)).toBe(false);
      batched.add(id);
      const p = box.proof(id)!;
      expect(verifyProof(b.root, p.leaf, p.proof)).toBe(true);
    }
  }
  for (const e of box.pending()) {
    expect(typeof e.id === 'string' && typeof e.type === 'string' && typeof e.time === 'number').toBe(true);
    if (e.machine !== undefined) expect(typeof e.machine).toBe('string');
  }
  const c = box.counts();
  expect(c.events).toBe(box.pending().length + batched.size);
  // Opening again reads the same outbox (the cut journal is whole).
  expect(stateOf(new Outbox({ path, now: () => 0, fsync: false }))).toEqual(stateOf(box));
  return { ok: true, box };
}

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('outbox journal, hardened', () => {
  test.prop([journal], { numRuns: 100 })('round trip: a journal the outbox wrote opens to the state it was left in', async (list) => {
    const { text, state } = await write(list);
    const r = open(bytesOf(text));
    expect(r.ok).toBe(true);
    if (r.ok) expect(stateOf(r.box)).toEqual(state);
  });

  test.prop([journal, fc.nat(), fc.nat()], { numRuns: 100 })('a line of a real journal with fields deleted, replaced, added or retyped: opens, or refused at a line', async (list, pick, seed) => {
    const { text } = await write(list);
    const lines = text.split('\n').slice(0, -1);
    const i = pick % lines.length;
    const [mutated] = fc.sample(mutatedJson(fc.constant(JSON.parse(lines[i]) as Json), 3), { seed, numRuns: 1 });
    lines[i] = JSON.stringify(mutated) ?? 'undefined';
    open(bytesOf(`${lines.join('\n')}\n`));
  });

  test.prop([journal, fc.nat()], { numRuns: 100 })('a real journal with lines deleted, duplicated, swapped, edited or torn', async (list, seed) => {
    const { text } = await write(list);
    const [edited] = fc.sample(mutatedText(fc.constant(text), 3), { seed, numRuns: 1 });
    open(bytesOf(edited));
  });

  test.prop([journal, fc.nat()], { numRuns: 100 })('a real journal with bits flipped, bytes set, inserted or zeroed, or truncated', async (list, seed) => {
    const { text } = await write(list);
    const [corrupted] = fc.sample(mutatedBytes(fc.constant(bytesOf(text)), 3), { seed, numRuns: 1 });
    open(corrupted);
  });

  test.prop([fc.uint8Array({ maxLength: 300 })], { numRuns: 150 })('arbitrary bytes: opens, or refused at a line', (bytes) => {
    open(bytes);
  });

  test.prop([fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.boolean()], { numRuns: 150 })('arbitrary JSON lines: opens, or refused at a line', (values, torn) => {
    const text = values.map((v) => JSON.stringify(v)).join('\n');
    open(bytesOf(torn ? text : `${text}\n`));
  });

  // Inputs the properties found, kept as examples.
  const line0 = (event: Record<string, unknown>) => bytesOf(`${JSON.stringify({ k: 'event', seq: 0, event })}\n`);
  it('refuses an event whose time is outside uint64 milliseconds, at its line (was a RangeError)', () => {
    for (const time of [-1, 1e300]) {
      const r = open(line0({ id: 'a', time, type: 't', payload: {} }));
      expect(r.ok || r.error.message).toMatch(/line 1: .*time/);
    }
  });

  it('refuses an event whose machine is not a string, at its line (was a TypeError)', () => {
    const r = open(line0({ id: 'a', time: 0, type: 't', machine: 5, payload: {} }));
    expect(r.ok || r.error.message).toMatch(/line 1: .*machine/);
  });

  it('refuses an event whose payload is nested too deep to hash, at its line (was a RangeError)', () => {
    const payload = `{"a":${'['.repeat(20000)}${']'.repeat(20000)}}`;
    const r = open(bytesOf(`{"k":"event","seq":0,"event":{"id":"a","time":0,"type":"t","payload":${payload}}}\n`));
    expect(r.ok || r.error.message).toMatch(/line 1: /);
  });

  it('refuses a confirmed line whose block number or transaction is malformed', () => {
    const hash = (c: string) => `0x${c.repeat(64)}`;
    for (const bad of [{ blockNumber: 'seven' }, { blockNumber: -1 }, { blockNumber: 1.5 }, { txHash: 'nope' }]) {
      const r = open(bytesOf(`${JSON.stringify({ k: 'confirmed', batchId: hash('2'), ...bad })}\n`));
      expect(r.ok || r.error.message).toMatch(/line 1: confirmed line/);
    }
  });

  it('refuses a line that is not UTF-8, leaving the file as it was (a torn line after it was cut at the wrong offset)', async () => {
    const { text } = await write([{ op: 'add', event: { id: 'a', time: 0, type: 't', payload: { note: 'é' } } }, { op: 'flush', mined: true }]);
    expect(text).toMatch(/"k":"confirmed"/);
    // The anchored event's payload: é (0xc3 0xa9) with its second byte changed is no longer UTF-8, and an
    // anchored event is not re-hashed on open. Read as text, the line was 2 bytes longer than on disk,
    // so cutting the torn last line truncated the file 2 bytes into it, half written.
    const bytes = Buffer.from(`${text}{"k":"sent"`, 'utf8');
    bytes[bytes.indexOf(Buffer.from('é', 'utf8')) + 1] = 0x41;
    const r = open(new Uint8Array(bytes));
    expect(r.ok || r.error.message).toMatch(/line 1: not UTF-8/);
  });

  it('keeps the error one line when it quotes an event id with a line break (was two lines)', () => {
    const line = JSON.stringify({ k: 'event', seq: 0, event: { id: 'a\nforged', time: 0, type: 't', payload: {} } });
    const r = open(bytesOf(`${line}\n${line.replace('"seq":0', '"seq":1')}\n`));
    expect(r.ok || r.error.message).toMatch(/line 2: event a\\u000aforged recorded twice$/);
  });

  it('names an unknown record kind without printing a value nested too deep (was a RangeError)', () => {
    const r = open(bytesOf(`{"k":${'['.repeat(20000)}${']'.repeat(20000)}}\n`));
    expect(r.ok || r.error.message).toMatch(/line 1: unknown record kind an array/);
  });
});
