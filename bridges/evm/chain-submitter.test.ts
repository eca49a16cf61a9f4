import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwinEvent } from '../../agents/ports/ledger-port.js';
import { startAnvil, type AnvilNode } from './anvil.js';
import { deployContracts } from './deploy.js';
import { ChainSubmitter, ChainUnavailableError } from './chain-submitter.js';
import { Outbox, type BatchRecord, type Submitter } from './outbox/outbox.js';

const MACHINES = ['press-1', 'press-2', 'cnc-1', 'cnc-2', 'turbine-1'];
const twin = (n: number): TwinEvent => {
  const machine = MACHINES[n % MACHINES.length];
  return { id: `${machine}:${n}`, time: 1_700_000_000 + n * 0.25, type: n % 7 === 0 ? 'repair.completed' : 'repair.requested', machine, payload: { n, note: `event ${n}` } };
};

/** Deploys (or reuses, from `dataDir`) and returns a submitter for account 1 as operator. */
async function connect(node: AnvilNode, dataDir?: string): Promise<{ submitter: ChainSubmitter; reused: boolean }> {
  const dep = await deployContracts({
    rpcUrl: node.url,
    deployerKey: node.accounts[0]!.privateKey,
    ...(dataDir ? { dataDir } : {}),
    roles: { operators: [node.accounts[1]!.address] },
  });
  dep.provider.destroy();
  const submitter = new ChainSubmitter({ rpcUrl: node.url, operatorKey: node.accounts[1]!.privateKey, address: dep.record.addresses.MaintenanceLog, chainId: node.chainId });
  return { submitter, reused: dep.reused };
}

/** On-chain view: every BatchAnchored event's root, in order. */
async function anchoredRoots(s: ChainSubmitter): Promise<string[]> {
  return (await s.anchoredBatches()).map((b) => b.root);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chain-submitter-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ChainSubmitter + outbox on Anvil', () => {
  let node: AnvilNode;
  let submitter: ChainSubmitter;
  beforeAll(async () => {
    node = await startAnvil();
    ({ submitter } = await connect(node));
  });
  afterAll(async () => {
    submitter?.close();
    await node?.stop();
  });

  it('anchors 1000 events; every proof verifies on chain with MaintenanceLog.verify', async () => {
    const box = new Outbox({ path: join(dir, 'thousand.ndjson'), maxBatchSize: 64, fsync: false });
    for (let n = 0; n < 1000; n++) box.add(twin(n));
    const report = await box.flush(submitter, { force: true });
    expect(report.errors).toEqual([]);
    expect(report.submitted).toHaveLength(16);
    expect(report.confirmed).toEqual(report.submitted);
    const batches = box.listBatches();
    expect(batches.every((b) => b.status === 'confirmed' && typeof b.blockNumber === 'number')).toBe(true);
    expect(await submitter.batchCount()).toBe(16);
    expect(await anchoredRoots(submitter)).toEqual(batches.map((b) => b.root));
    expect((await submitter.anchorOf(batches[3]!.root))!).toMatchObject({ index: 3, count: batches[3]!.eventIds.length });

    // In parallel: ethers packs concurrent calls into JSON-RPC batches.
    const proofs = batches.flatMap((b) => box.batchProofs(b.batchId).map((p) => ({ ...p, root: b.root })));
    expect(proofs.map((p) => p.eventId).sort()).toEqual(Array.from({ length: 1000 }, (_, n) => twin(n).id).sort());
    const verdicts = await Promise.all(proofs.map((p) => submitter.verify(p.root, p.leaf, p.proof)));
    expect(verdicts.filter((v) => !v)).toHaveLength(0);
    // proof() (one event) agrees with batchProofs.
    expect(box.proof(proofs[17]!.eventId)!.proof).toEqual(proofs[17]!.proof);
    // A leaf not in the batch does not verify against that batch's root.
    const p = box.proof(twin(0).id)!;
    expect(await submitter.verify(p.root, box.proof(twin(999).id)!.leaf, p.proof)).toBe(false);
    // A root never anchored verifies nothing, even with a proof that fits it.
    expect(await submitter.verify(`0x${'cd'.repeat(32)}`, p.leaf, p.proof)).toBe(false);
    // A repeated root is refused by the contract, and the nonce manager recovers.
    await expect(submitter.submit(batches[0]!)).rejects.toThrow(/DuplicateBatch|revert/);
    expect(await submitter.anchored(batches[0]!.root)).toBe(true);
  });

  it('an unreachable node surfaces as ChainUnavailableError, which stops the flush without losing anything', async () => {
    const down = new ChainSubmitter({ rpcUrl: 'http://127.0.0.1:1', operatorKey: node.accounts[1]!.privateKey, address: submitter.options.address, chainId: node.chainId });
    try {
      await expect(down.anchored(`0x${'ab'.repeat(32)}`)).rejects.toBeInstanceOf(ChainUnavailableError);
      const box = new Outbox({ path: join(dir, 'down.ndjson'), maxBatchSize: 2, fsync: false });
      for (let n = 0; n < 6; n++) box.add(twin(n));
      const report = await box.flush(down, { force: true });
      // One error, not three: the flush stops at the first unreachable call.
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]!.message).toMatch(/unavailable during isAnchored/);
      expect(box.listBatches().map((b) => b.status)).toEqual(['pending', 'pending', 'pending']);
      expect((await box.flush(submitter)).confirmed).toHaveLength(3);
    } finally {
      down.close();
    }
  });
});

describe('chain outage and process crash', () => {
  it('Anvil stopped mid-flush and restarted from its state file: every event anchored exactly once', async () => {
    const chainDir = join(dir, 'chain');
    const stateFile = join(chainDir, 'anvil-state.json');
    const path = join(chainDir, 'outbox.ndjson');
    let node = await startAnvil({ stateFile });
    let { submitter } = await connect(node, chainDir);
    const open = (): Outbox => new Outbox({ path, maxBatchSize: 20 });
    let box = open();
    for (let n = 0; n < 200; n++) box.add(twin(n));
    expect(box.cut()).toHaveLength(10);

    // The chain goes down right after the 4th batch left: its `sent` line is
    // written, its receipt and all later batches fail.
    let sends = 0;
    const stopping: Submitter = {
      submit: async (b: BatchRecord) => {
        const r = await submitter.submit(b);
        if (++sends === 4) await node.stop();
        return r;
      },
      receipt: (h) => submitter.receipt(h),
      anchored: (id) => submitter.anchored(id),
    };
    const first = await box.flush(stopping);
    expect(first.submitted).toHaveLength(4);
    expect(first.confirmed).toHaveLength(3);
    expect(first.errors).toHaveLength(1);
    expect(first.errors[0]!.message).toMatch(/unavailable/);
    expect(box.listBatches().map((b) => b.status)).toEqual(['confirmed', 'confirmed', 'confirmed', 'sent', ...Array(6).fill('pending')]);
    // While it is down a flush changes nothing and loses nothing.
    const journal = readFileSync(path, 'utf8');
    expect((await box.flush(submitter)).errors).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe(journal);
    for (let n = 0; n < 200; n++) expect(box.proof(twin(n).id)).toBeDefined();
    submitter.close();

    // Restart from the state file: the deployment and the first 4 anchors are still there.
    node = await startAnvil({ stateFile });
    try {
      const again = await connect(node, chainDir);
      expect(again.reused).toBe(true);
      submitter = again.submitter;
      expect(await submitter.batchCount()).toBe(4);

      // The process "crashes" after the 5th batch's transaction left but before
      // its `sent` line was written: that outbox instance is abandoned.
      box = open();
      let dead = false;
      const crashing: Submitter = {
        submit: async (b) => {
          if (dead) throw new Error('process is dead');
          await submitter.submit(b);
          dead = true;
          throw new Error('process killed before writing "sent"');
        },
        receipt: async (h) => {
          if (dead) throw new Error('process is dead');
          return submitter.receipt(h);
        },
        anchored: async (id) => {
          if (dead) throw new Error('process is dead');
          return submitter.anchored(id);
        },
      };
      await box.flush(crashing);
      expect(await submitter.batchCount()).toBe(5);

      // Reopen from disk and flush: the 5th is recognised on chain, not resent.
      box = open();
      const resumed = await box.flush(submitter);
      expect(resumed.errors).toEqual([]);
      expect(resumed.reconciled).toHaveLength(1);
      expect(resumed.submitted).toHaveLength(5);
      const batches = box.listBatches();
      expect(batches.every((b) => b.status === 'confirmed')).toBe(true);

      // Exactly once: one BatchAnchored per outbox batch, same roots, no repeats.
      const roots = await anchoredRoots(submitter);
      expect(roots).toHaveLength(10);
      expect(new Set(roots).size).toBe(10);
      expect([...roots].sort()).toEqual(batches.map((b) => b.root).sort());
      expect(await submitter.batchCount()).toBe(batches.length);
      for (const b of batches) expect((await submitter.anchorOf(b.root))?.count).toBe(b.eventIds.length);

      // Another simulated crash + reopen: same state, and a flush has nothing to do.
      const reopened = open();
      expect(reopened.listBatches()).toEqual(batches);
      expect(await reopened.flush(submitter)).toEqual({ submitted: [], confirmed: [], reconciled: [], reverted: [], errors: [] });
      expect(await submitter.batchCount()).toBe(10);
    } finally {
      submitter.close();
      await node.stop();
    }
  });
});
