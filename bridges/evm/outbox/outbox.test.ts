import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toUtf8Bytes } from 'ethers';
import type { TwinEvent } from '../../../agents/ports/ledger-port.js';
import { verifyProof } from '../../../agents/ledger/merkle/merkle.js';
import { Outbox, OutboxCorruptError, OutboxLedger, type BatchRecord, type Submitter } from './outbox.js';

/**
 * An in-memory stand-in for the chain, for these unit tests only: it sets the
 * exact crash and mining windows (a transaction sent but not mined, a send
 * that fails after the node took it) that a real node cannot be made to show
 * on cue. The real submitter runs against Anvil in chain-submitter.test.ts.
 * `mined` controls whether sent transactions have receipts; `anchoredRoots`
 * is the contract's view of which batch roots it holds.
 */
class FakeChain implements Submitter {
  submissions: BatchRecord[] = [];
  anchoredRoots = new Set<string>();
  txs = new Map<string, string>();
  mined = true;
  failSubmit: string | undefined;
  async submit(batch: BatchRecord) {
    const txHash = keccak256(toUtf8Bytes(`tx${this.submissions.length}`));
    this.submissions.push(batch);
    this.anchoredRoots.add(batch.root);
    this.txs.set(txHash, batch.batchId);
    if (this.failSubmit) throw new Error(this.failSubmit);
    return { txHash };
  }
  async receipt(txHash: string) {
    return this.mined && this.txs.has(txHash) ? { blockNumber: 7, status: 'success' as const } : undefined;
  }
  async anchored(root: string) {
    return this.mined && this.anchoredRoots.has(root);
  }
}

const ev = (n: number): TwinEvent => ({ id: `m-1:${n}`, time: n, type: 'repair.requested', machine: 'm-1', payload: { n } });

let dir: string;
let path: string;
let clock: number;
const warnings: string[] = [];
const open = (extra: Partial<ConstructorParameters<typeof Outbox>[0]> = {}) =>
  new Outbox({ path, maxBatchSize: 3, maxBatchAgeMs: 1000, now: () => clock, onWarning: (w) => warnings.push(w), ...extra });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  path = join(dir, 'outbox.ndjson');
  clock = 0;
  warnings.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('outbox', () => {
  it('stores an event id given twice once, across reopen too', () => {
    const a = open();
    expect(a.add(ev(1)).duplicate).toBe(false);
    expect(a.add(ev(1))).toMatchObject({ seq: 0, duplicate: true });
    const b = open();
    expect(b.add(ev(1)).duplicate).toBe(true);
    expect(b.add(ev(2)).seq).toBe(1);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('after a restart, a confirmed batch the chain no longer holds goes back to pending and is anchored again, once', async () => {
    const chain = new FakeChain();
    const box = open();
    for (let n = 1; n <= 6; n++) box.add(ev(n));
    await box.flush(chain, { force: true });
    const [first, second] = box.listBatches();
    // The node came back from an older state: it lost the second root.
    chain.anchoredRoots.delete(second!.root);
    const reopened = open();
    expect(await reopened.reconcile(chain)).toEqual([second!.batchId]);
    expect(reopened.listBatches().map((b) => b.status)).toEqual(['confirmed', 'pending']);
    // The journal says so: a third open sees the same.
    expect(open().listBatches().map((b) => b.status)).toEqual(['confirmed', 'pending']);
    const report = await reopened.flush(chain);
    expect(report.submitted).toEqual([second!.batchId]);
    expect(chain.submissions.map((b) => b.batchId)).toEqual([first!.batchId, second!.batchId, second!.batchId]);
    expect(await reopened.reconcile(chain)).toEqual([]);
  });

  it('refuses to open a journal whose event not yet anchored was altered, naming the line; an anchored one is left to twin verify', async () => {
    const box = open();
    for (let n = 1; n <= 4; n++) box.add(ev(n));
    await box.flush(new FakeChain()); // one full batch of 3 confirmed, m-1:4 still queued
    const alter = (id: string) =>
      writeFileSync(
        path,
        readFileSync(path, 'utf8')
          .split('\n')
          .map((l) => (l.includes(`"id":"${id}"`) && l.startsWith('{"k":"event"') ? l.replace('"n":', '"n":9') : l))
          .join('\n'),
      );
    const copy = readFileSync(path, 'utf8');
    alter('m-1:2');
    expect(() => open()).not.toThrow();
    writeFileSync(path, copy);
    alter('m-1:4');
    expect(() => open()).toThrow(/line 4: event m-1:4 no longer hashes to its recorded leaf/);
  });

  it('cuts batches by size and by age, and proves each event against its root', async () => {
    const box = open();
    for (let n = 1; n <= 4; n++) box.add(ev(n));
    expect(box.cut().map((b) => b.eventIds)).toEqual([['m-1:1', 'm-1:2', 'm-1:3']]);
    expect(box.cut()).toEqual([]);
    clock = 1000;
    expect(box.cut().map((b) => b.eventIds)).toEqual([['m-1:4']]);
    const chain = new FakeChain();
    const report = await box.flush(chain);
    expect(report).toMatchObject({ submitted: [expect.any(String), expect.any(String)], errors: [] });
    expect(report.confirmed).toEqual(report.submitted);
    expect(box.listBatches().map((b) => [b.status, b.blockNumber])).toEqual([['confirmed', 7], ['confirmed', 7]]);
    const p = box.proof('m-1:2')!;
    expect(verifyProof(p.root, p.leaf, p.proof)).toBe(true);
    expect(p.status).toBe('confirmed');
  });

  it('crash after submit, before the receipt: reopen resumes and submits nothing twice', async () => {
    const chain = new FakeChain();
    chain.mined = false;
    const first = open();
    [1, 2].forEach((n) => first.add(ev(n)));
    expect((await first.flush(chain, { force: true })).submitted).toHaveLength(1);
    expect(first.listBatches()[0].status).toBe('sent');
    // "Crash": drop the instance, reopen from disk; the transaction is mined meanwhile.
    chain.mined = true;
    const again = open();
    expect(again.listBatches()[0]).toMatchObject({ status: 'sent', txHash: expect.any(String) });
    const report = await again.flush(chain);
    expect(report).toMatchObject({ submitted: [], confirmed: [first.listBatches()[0].batchId] });
    expect(chain.submissions).toHaveLength(1);
  });

  it('crash after the transaction left but before "sent" was written: reconciled from the chain, not resubmitted', async () => {
    const chain = new FakeChain();
    chain.failSubmit = 'process killed';
    const first = open();
    first.add(ev(1));
    expect((await first.flush(chain, { force: true })).errors).toEqual([{ batchId: expect.any(String), message: 'process killed' }]);
    chain.failSubmit = undefined;
    const again = open();
    expect(again.listBatches()[0].status).toBe('pending');
    const report = await again.flush(chain);
    expect(report.reconciled).toHaveLength(1);
    expect(chain.submissions).toHaveLength(1);
    expect(open().listBatches()[0].status).toBe('confirmed');
  });

  it('keeps events while the chain is down and sends them once it is back', async () => {
    const chain = new FakeChain();
    const down: Submitter = { submit: () => Promise.reject(new Error('connection refused')), receipt: chain.receipt.bind(chain), anchored: () => Promise.reject(new Error('connection refused')) };
    const box = open();
    box.add(ev(1));
    expect((await box.flush(down, { force: true })).errors[0].message).toBe('connection refused');
    expect((await open().flush(chain)).confirmed).toHaveLength(1);
  });

  it('recovers from a torn last line with a warning, losing nothing else', () => {
    const box = open();
    [1, 2].forEach((n) => box.add(ev(n)));
    box.cut(true);
    appendFileSync(path, '{"k":"event","seq":2,"event":{"id":"m-1:3","ti');
    const again = open();
    expect(warnings).toEqual([expect.stringMatching(/outbox .*outbox\.ndjson: line 4 is incomplete .*cut off, 3 earlier lines kept/)]);
    expect(again.recovered).toMatchObject({ line: 4 });
    expect(again.has('m-1:2')).toBe(true);
    expect(again.has('m-1:3')).toBe(false);
    expect(again.listBatches()).toHaveLength(1);
    expect(again.add(ev(3)).seq).toBe(2);
    expect(() => open()).not.toThrow();
    expect(warnings).toHaveLength(1);
  });

  it('refuses a bad journal, naming file and line', () => {
    const box = open();
    [1, 2].forEach((n) => box.add(ev(n)));
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    writeFileSync(path, `${lines[0]}\nnot json\n${lines[1]}\n`);
    expect(() => open()).toThrow(OutboxCorruptError);
    expect(() => open()).toThrow(/outbox .*outbox\.ndjson: line 2: not JSON/);
    writeFileSync(path, `${lines[0]}\n${lines[0]}\n`);
    expect(() => open()).toThrow(/line 2: event m-1:1 recorded twice/);
    writeFileSync(path, `${lines[0]}\n{"k":"sent","batchId":"0x${'1'.repeat(64)}","txHash":"0x${'2'.repeat(64)}"}\n`);
    expect(() => open()).toThrow(/line 2: sent for unknown batch/);
  });

  it('serves as the ledger agent port: receipts once queued, duplicates flagged', () => {
    const port = new OutboxLedger(open());
    const r = port.append(ev(1));
    expect(r).toMatchObject({ event: 'm-1:1', seq: 0, duplicate: false, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(port.append(ev(1))).toEqual({ ...r, duplicate: true });
  });
});
