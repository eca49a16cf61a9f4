/**
 * Gas of anchoring twin events in MaintenanceLog at batch sizes 1, 100 and
 * 1000, through the real path (outbox → ChainSubmitter → Anvil). One anchor
 * stores a root, never the events, so its gas should not depend on the batch
 * size and the cost per event falls as 1/size; this measures by how much.
 * The first anchor on a fresh contract also sets the batch counter from zero
 * (a new slot), so it runs once as a warm-up and is reported apart.
 *
 *   npm run build && node dist/bench/ledger-gas/run.js   (npm run bench:ledger-gas)
 *
 * Writes bench/results/ledger-gas.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwinEvent } from '../../agents/ports/ledger-port.js';
import { startAnvil } from '../../bridges/evm/anvil.js';
import { ChainSubmitter } from '../../bridges/evm/chain-submitter.js';
import { deployContracts } from '../../bridges/evm/deploy.js';
import { Outbox } from '../../bridges/evm/outbox/outbox.js';
import { projectRoot } from '../../runtime/paths.js';

const SIZES = [1, 100, 1000];
/** Anchors measured per size (after the warm-up). */
const REPEATS = 5;

let nextId = 0;
const event = (): TwinEvent => {
  const n = nextId++;
  return { id: `bench:${n}`, time: 1_700_000_000 + n, type: 'repair.requested', machine: `m-${n % 20}`, payload: { n, vibration: 3.2 + (n % 10) / 10 } };
};

const node = await startAnvil();
const dir = mkdtempSync(join(tmpdir(), 'ledger-gas-'));
try {
  const dep = await deployContracts({ rpcUrl: node.url, deployerKey: node.accounts[0]!.privateKey, roles: { operators: [node.accounts[1]!.address] } });
  dep.provider.destroy();
  const submitter = new ChainSubmitter({ rpcUrl: node.url, operatorKey: node.accounts[1]!.privateKey, address: dep.record.addresses.MaintenanceLog, chainId: node.chainId });

  /** Anchors `count` batches of `size` events; returns gasUsed of each anchor transaction. */
  const anchor = async (size: number, count: number): Promise<number[]> => {
    const box = new Outbox({ path: join(dir, `size-${size}-${nextId}.ndjson`), maxBatchSize: size, fsync: false });
    for (let i = 0; i < size * count; i++) box.add(event());
    const report = await box.flush(submitter, { force: true });
    if (report.errors.length > 0 || report.confirmed.length !== count) throw new Error(`flush failed: ${JSON.stringify(report)}`);
    const gas: number[] = [];
    for (const b of box.listBatches()) gas.push(Number((await submitter.fullReceipt(b.txHash!))!.gasUsed));
    return gas;
  };

  const warmup = (await anchor(1, 1))[0]!;
  const rows = [];
  for (const size of SIZES) {
    const gas = await anchor(size, REPEATS);
    const mean = gas.reduce((s, g) => s + g, 0) / gas.length;
    rows.push({ batchSize: size, anchors: gas.length, gasPerAnchor: Math.round(mean), gasPerEvent: Number((mean / size).toFixed(2)), gasSamples: gas });
  }
  submitter.close();

  const result = {
    benchmark: 'ledger-gas',
    what: 'gasUsed of MaintenanceLog.anchor(root, count) per transaction, via Outbox + ChainSubmitter on Anvil',
    firstAnchorOnFreshContract: warmup,
    rows,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, os: release(), node: process.version },
    date: new Date().toISOString(),
  };
  const out = join(projectRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'ledger-gas.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`first anchor on a fresh contract: ${warmup} gas`);
  for (const r of rows) console.log(`batch ${String(r.batchSize).padStart(4)}: ${r.gasPerAnchor} gas/anchor, ${r.gasPerEvent} gas/event`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await node.stop();
}
