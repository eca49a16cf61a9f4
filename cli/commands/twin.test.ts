import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TwinEvent } from '../../agents/ports/ledger-port.js';
import { startAnvil } from '../../bridges/evm/anvil.js';
import { deployContracts } from '../../bridges/evm/deploy.js';
import { ChainSubmitter } from '../../bridges/evm/chain-submitter.js';
import { chainFiles } from '../../bridges/evm/ledger-audit.js';
import { Outbox } from '../../bridges/evm/outbox/outbox.js';
import { standardLeafHash, TWIN_LEAF_TYPES, twinLeafValues } from '../../agents/ledger/merkle/merkle.js';
import { cli } from '../../test/support/cli.js';

const MACHINES = ['press-1', 'cnc-1', 'turbine-1'];
// Times run backwards within a machine for odd n, so "in order" means sorted by time, not by queue position.
const twin = (n: number): TwinEvent => ({ id: `ev-${n}`, time: 1000 + n * 10 + (n % 2 ? -5 : 0), type: n % 5 === 0 ? 'repair.completed' : 'repair.requested', machine: MACHINES[n % 3], payload: { n } });

let root: string;
let data: string;

/** A data folder as a plant run leaves it: Anvil state, deployment.json, and an outbox flushed to the chain. */
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'hf-twin-'));
  data = join(root, 'chain');
  const node = await startAnvil({ stateFile: chainFiles(data).state });
  try {
    const dep = await deployContracts({ rpcUrl: node.url, deployerKey: node.accounts[0]!.privateKey, dataDir: data, roles: { operators: [node.accounts[1]!.address] } });
    dep.provider.destroy();
    const submitter = new ChainSubmitter({ rpcUrl: node.url, operatorKey: node.accounts[1]!.privateKey, address: dep.record.addresses.MaintenanceLog });
    const box = new Outbox({ path: chainFiles(data).outbox, maxBatchSize: 8 });
    for (let n = 0; n < 60; n++) box.add(twin(n));
    const report = await box.flush(submitter, { force: true });
    expect(report.errors).toEqual([]);
    expect(box.listBatches().every((b) => b.status === 'confirmed')).toBe(true);
    submitter.close();
  } finally {
    await node.stop();
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the data folder, so each test may alter it freely. */
function copy(name: string): string {
  const to = join(root, name);
  cpSync(data, to, { recursive: true });
  return to;
}

describe('hyperfactory twin', () => {
  it('verify --all --json: every event verified against the chain (Anvil started from the state file)', async () => {
    const r = await cli('twin', 'verify', '--all', '--data', copy('ok'), '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ verified: true, events: 60, mismatches: [] });
  });

  it('verify names a tampered local record, and only that one', async () => {
    const dir = copy('tampered');
    const file = chainFiles(dir).outbox;
    const text = readFileSync(file, 'utf8').replace('"payload":{"n":17}', '"payload":{"n":17,"torque":"fudged"}');
    writeFileSync(file, text);
    const r = await cli('twin', 'verify', '--all', '--data', dir, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verified: false, events: 60 });
    expect(out.mismatches).toEqual([{ id: 'ev-17', machine: 'turbine-1', reason: 'tampered', detail: expect.stringMatching(/^line 18: /) }]);
    // Per machine: the other machines still verify.
    expect(JSON.parse((await cli('twin', 'verify', 'cnc-1', '--data', dir, '--json')).stdout)).toEqual({ verified: true, events: 20, mismatches: [] });
  });

  it('verify reports an altered batch as proof-fails and unanchored events as not-anchored', async () => {
    const dir = copy('unanchored');
    const file = chainFiles(dir).outbox;
    // Drop the batch/sent/confirmed lines of the last batch: its events look queued only.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l));
    const batches = parsed.filter((l) => l.k === 'batch');
    const last = batches.at(-1);
    const first = batches[0];
    const kept = lines.filter((l) => !l.includes(last.batchId));
    // Slip a new, honestly hashed event into the first batch: that batch no longer proves against its anchored root.
    const intruder = { k: 'event', seq: 60, event: twin(60), leaf: standardLeafHash(TWIN_LEAF_TYPES, twinLeafValues(twin(60))) };
    const forged = { k: 'event', seq: 61, event: twin(61), leaf: `0x${'11'.repeat(32)}` };
    const out1 = kept.map((l) => (l.includes(`"k":"batch","batchId":"${first.batchId}"`) ? JSON.stringify({ ...first, eventIds: [...first.eventIds, 'ev-60'] }) : l));
    writeFileSync(file, `${[...out1.slice(0, 60), JSON.stringify(intruder), JSON.stringify(forged), ...out1.slice(60)].join('\n')}\n`);
    const r = await cli('twin', 'verify', '--all', '--data', dir, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.events).toBe(62);
    const reasons = Object.fromEntries(out.mismatches.map((m: { id: string; reason: string }) => [m.id, m.reason]));
    for (const id of last.eventIds) expect(reasons[id]).toBe('not-anchored');
    for (const id of [...first.eventIds, 'ev-60']) expect(reasons[id]).toBe('proof-fails');
    expect(reasons['ev-61']).toBe('tampered'); // its recorded leaf is not what it hashes to
    expect(out.mismatches).toHaveLength(last.eventIds.length + first.eventIds.length + 2);
  });

  it('history MACHINE lists that machine\'s events in time order with their anchors', async () => {
    const r = await cli('twin', 'history', 'turbine-1', '--data', copy('history'), '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout);
    const expected = Array.from({ length: 60 }, (_, n) => twin(n)).filter((e) => e.machine === 'turbine-1').sort((a, b) => a.time - b.time);
    expect(rows.map((x: { id: string }) => x.id)).toEqual(expected.map((e) => e.id));
    expect(rows.every((x: { anchored: boolean; blockNumber: number }) => x.anchored && x.blockNumber > 0)).toBe(true);
    const text = await cli('twin', 'history', 'turbine-1', '--data', copy('history-text'));
    expect(text.stdout.split('\n')[0]).toBe('turbine-1: 20 events');
  });

  it.each([
    [['twin'], /twin: missing subcommand/],
    [['twin', 'audit'], /unknown subcommand "audit"/],
    [['twin', 'verify'], /give either a MACHINE or --all/],
    [['twin', 'history'], /missing MACHINE/],
    [['twin', 'history', 'm', '--data', '/nonexistent/hf'], /outbox\.ndjson: no such file/],
    [['twin', 'verify', '--all', '--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with one line on stderr and exit code 2', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unreachable --rpc is a one-line error', async () => {
    const r = await cli('twin', 'verify', '--all', '--data', copy('rpc'), '--rpc', 'http://127.0.0.1:1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/chain at http:\/\/127\.0\.0\.1:1 does not answer/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
