import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Contract } from 'ethers';
import type { TwinEvent } from '../agents/ports/ledger-port.js';
import { MemoryNonceStore, twinEventMessage, verifyTwinEvent } from '../agents/ledger/signing/typed-events.js';
import { startAnvil, type AnvilNode } from '../bridges/evm/anvil.js';
import { ChainLedger } from '../bridges/evm/chain-ledger.js';
import { chainProvider, PLANT_SIGNER } from '../bridges/evm/chain-node.js';
import { chainFiles, MaintenanceLogReader, readLocalLog, verifyLocalLog } from '../bridges/evm/ledger-audit.js';
import { machineKey, PLANT_MANUFACTURER } from '../bridges/evm/lease-access.js';
import type { Seal } from '../bridges/evm/outbox/outbox.js';
import { loadArtifact } from '../contracts/artifacts.js';
import { loadScenario } from '../scenarios/load.js';
import { freePort } from '../test/support/free-port.js';
import { expandMachines } from './machines.js';
import { openChainRecording } from './chain-recording.js';
import { runPlant, runPlantRealtime } from './plant.js';
import { projectRoot } from './paths.js';

const scenario = loadScenario(join(projectRoot(), 'scenarios', 'turbine-failure.yaml'));
const machines = expandMachines(scenario).map((m) => m.id);
const until = 20 * 86400;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chain-recording-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The journal's event lines with their seals (the audit reader leaves seals out). */
function sealedEvents(dataDir: string): { event: TwinEvent; seal?: Seal }[] {
  return readFileSync(chainFiles(dataDir).outbox, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { k: string; event: TwinEvent; seal?: Seal })
    .filter((l) => l.k === 'event');
}

/** Anvil from the data folder's state, for reading what the runs left on chain. */
async function withChain<T>(dataDir: string, fn: (reader: MaintenanceLogReader, node: AnvilNode) => Promise<T>): Promise<T> {
  const node = await startAnvil({ stateFile: chainFiles(dataDir).state });
  const deployment = JSON.parse(readFileSync(chainFiles(dataDir).deployment, 'utf8')) as { addresses: { MaintenanceLog: string } };
  const reader = new MaintenanceLogReader(node.url, deployment.addresses.MaintenanceLog, node.chainId);
  try {
    return await fn(reader, node);
  } finally {
    reader.close();
    await node.stop();
  }
}

describe('a plant recording its twin events on the chain', () => {
  it('signs every twin event with its machine key, anchors it, keeps the event log identical to a memory-ledger run, and a second run adds its own events', async () => {
    const dataDir = join(dir, 'des');
    const memory = runPlant(scenario, { until });
    expect(memory.kpis.ledgerEvents).toBeGreaterThan(10);

    const first = await openChainRecording(scenario, { dataDir, flushIntervalMs: 60_000 });
    expect(first.chain.registered).toEqual(machines);
    const domain = ChainLedger.domain(first.chain.chainId, first.chain.deployment.addresses.MaintenanceLog);
    const keys = first.chain.keys;
    const onChain = runPlant(scenario, { until, ledger: first.portFor });
    expect(await first.close()).toBe(0);
    expect(onChain.kpis.ledgerEvents).toBe(memory.kpis.ledgerEvents);

    // Every event signed (EIP-712) by its machine's key (the plant's when it names none), nonces rising per signer.
    const sealed = sealedEvents(dataDir);
    expect(sealed).toHaveLength(memory.kpis.ledgerEvents);
    const nonces = new MemoryNonceStore();
    const now = Math.floor(Date.now() / 1000);
    for (const { event, seal } of sealed) {
      const signer = keys.get(event.machine !== undefined && keys.has(event.machine) ? event.machine : PLANT_SIGNER)!.address;
      expect(seal!.signer).toBe(signer);
      const verdict = verifyTwinEvent(domain, twinEventMessage(event, seal!), seal!.signature, { expectedSigner: signer, nonces, maxSkewSeconds: 3600, now });
      expect(verdict).toEqual({ ok: true, signer });
    }
    // A signature does not survive a change to the event.
    const { event, seal } = sealed.find((s) => s.event.machine !== undefined)!;
    const forged = twinEventMessage({ ...event, type: 'repair.completed' }, seal!);
    expect(verifyTwinEvent(domain, forged, seal!.signature, { expectedSigner: seal!.signer, nonces: new MemoryNonceStore(), maxSkewSeconds: 3600, now }).ok).toBe(false);

    // The same scenario and seed again: its own run key, so nothing is taken for a duplicate; keys and tokens are reused.
    const second = await openChainRecording(scenario, { dataDir, flushIntervalMs: 60_000 });
    expect(second.chain.registered).toEqual([]);
    expect([...second.chain.keys].map(([id, w]) => [id, w.address])).toEqual([...keys].map(([id, w]) => [id, w.address]));
    const again = runPlant(scenario, { until, ledger: second.portFor });
    expect(await second.close()).toBe(0);
    // Determinism: the run's own log (receipts included) is byte-identical, though the chain holds more.
    expect(again.logHash).toBe(onChain.logHash);
    const events = sealedEvents(dataDir);
    expect(events).toHaveLength(2 * memory.kpis.ledgerEvents);
    // A signer's nonces go on across restarts: no nonce is used twice.
    const bySigner = new Map<string, number[]>();
    for (const { seal: s } of events) bySigner.set(s!.signer, [...(bySigner.get(s!.signer) ?? []), s!.nonce]);
    for (const list of bySigner.values()) expect(list).toEqual(list.map((_, i) => i));

    // After both runs ended: every event verifies against the chain; every machine has its twin token.
    await withChain(dataDir, async (reader, node) => {
      const signatures = { domain, signers: new Map([...keys].map(([id, w]) => [id, w.address])) };
      const log = readLocalLog(chainFiles(dataDir).outbox);
      expect(await verifyLocalLog(log, reader, undefined, signatures)).toEqual({ verified: true, events: events.length, mismatches: [] });
      // The audit catches a signature from another key, an event signed twice over (replay) and a payload changed after signing.
      const perMachine = new Map<string, typeof log.events>();
      for (const e of log.events) perMachine.set(e.event.machine ?? '', [...(perMachine.get(e.event.machine ?? '') ?? []), e]);
      const target = [...perMachine].filter(([m]) => m !== '').sort((x, y) => y[1].length - x[1].length)[0]![0];
      const [a, b, c] = perMachine.get(target)!;
      const forged = {
        ...log,
        events: [
          ...log.events.filter((e) => e !== a && e !== c),
          { ...a!, seal: { ...a!.seal!, signature: b!.seal!.signature } },
          { ...b!, line: 9999 },
          { ...c!, event: { ...c!.event, payload: { ...c!.event.payload, note: 'changed' } }, recordedLeaf: undefined },
        ],
      };
      const audit = await verifyLocalLog(forged, reader, target, signatures);
      expect(audit.verified).toBe(false);
      expect(audit.mismatches.map((m) => [m.id, m.reason, m.detail.split(': ')[1]])).toEqual([
        [a!.event.id, 'bad-signature', 'wrong-signer'],
        [b!.event.id, 'bad-signature', 'replay'],
        [c!.event.id, 'bad-signature', 'wrong-signer'],
      ]);
      const deployment = JSON.parse(readFileSync(chainFiles(dataDir).deployment, 'utf8')) as { addresses: { TwinRegistry: string } };
      const provider = chainProvider({ rpcUrl: node.url, chainId: node.chainId });
      const registry = new Contract(deployment.addresses.TwinRegistry, loadArtifact('TwinRegistry').abi as never, provider);
      for (const m of machines) {
        const tokenId = (await registry.getFunction('tokenOfMachine')(machineKey(PLANT_MANUFACTURER, m))) as bigint;
        expect(tokenId).toBeGreaterThan(0n);
        // Its twin state is the leaf of its latest anchored event (the registration hash when it has none).
        const latest = log.events.filter((e) => e.event.machine === m).at(-1);
        const identity = (await registry.getFunction('identityOf')(tokenId)) as { stateHash: string };
        if (latest) expect(identity.stateHash).toBe(latest.leaf);
      }
      provider.destroy();
    });
  }, 180_000);

  it('records on any EVM node given by URL and key (here an Anvil standing in for a permissioned network)', async () => {
    const dataDir = join(dir, 'outside');
    const node = await startAnvil({ chainId: 1337 });
    try {
      await expect(openChainRecording(scenario, { dataDir, rpcUrl: node.url })).rejects.toThrow(/needs the operator's key/);
      await expect(openChainRecording(scenario, { dataDir, rpcUrl: node.url, key: 'not-a-key' })).rejects.toThrow(/not a private key/);
      const rec = await openChainRecording(scenario, { dataDir, rpcUrl: node.url, key: node.accounts[3]!.privateKey, flushIntervalMs: 60_000 });
      expect(rec.chain.node).toBeUndefined();
      expect(rec.chain.chainId).toBe(1337);
      const result = runPlant(scenario, { until: 5 * 86400, ledger: rec.portFor });
      expect(await rec.close()).toBe(0);
      expect(existsSync(chainFiles(dataDir).state)).toBe(false); // the node keeps its own state
      const reader = new MaintenanceLogReader(node.url, rec.chain.deployment.addresses.MaintenanceLog, 1337);
      try {
        const report = await verifyLocalLog(readLocalLog(chainFiles(dataDir).outbox), reader);
        expect(report).toEqual({ verified: true, events: result.kpis.ledgerEvents, mismatches: [] });
      } finally {
        reader.close();
      }
    } finally {
      await node.stop();
    }
  }, 120_000);

  it('fault: Anvil killed mid-run (no state dump) and restarted, every twin event lands on chain exactly once', async () => {
    const dataDir = join(dir, 'fault');
    const port = await freePort();
    const problems: string[] = [];
    const rec = await openChainRecording(scenario, {
      dataDir,
      anvilPort: port,
      flushIntervalMs: 100,
      maxBatchSize: 4,
      maxBatchAgeMs: 100,
      onProblem: (line) => problems.push(line),
    });
    let restarted: AnvilNode | undefined;
    try {
      const running = runPlantRealtime(scenario, { until, speed: 250_000, ledger: rec.portFor });
      // Let a few batches land, then crash the node: blocks since its last state dump are gone.
      while (rec.outbox.counts().confirmedBatches < 2) await new Promise((r) => setTimeout(r, 50));
      await rec.chain.node!.kill();
      const eventsAtCrash = rec.outbox.counts().events;
      while (!problems.some((p) => /chain not reached/.test(p))) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      restarted = await startAnvil({ port, stateFile: chainFiles(dataDir).state, stateInterval: 2 });
      const result = await running;
      expect(await rec.close()).toBe(0);

      // The outage was seen while the plant ran, and the events it produced meanwhile waited in the outbox.
      // (Whether the node lost batches it had confirmed depends on when it last dumped its state; when it did, they were anchored again.)
      expect(problems.some((p) => /chain not reached/.test(p))).toBe(true);
      expect(problems.at(-1)).toMatch(/anchoring resumed/);
      const log = readLocalLog(chainFiles(dataDir).outbox);
      expect(log.events).toHaveLength(result.kpis.ledgerEvents);
      expect(result.kpis.ledgerEvents).toBeGreaterThan(eventsAtCrash);

      // Exactly once: one anchor per local batch, no root twice, every event in one anchored batch.
      const reader = new MaintenanceLogReader(restarted.url, rec.chain.deployment.addresses.MaintenanceLog, restarted.chainId);
      try {
        const anchored = await reader.anchoredBatches();
        const roots = anchored.map((b) => b.root);
        expect(new Set(roots).size).toBe(roots.length);
        expect([...roots].sort()).toEqual([...log.batches.values()].map((b) => b.root).sort());
        expect(anchored.reduce((n, b) => n + b.count, 0)).toBe(log.events.length);
        expect(await verifyLocalLog(log, reader)).toEqual({ verified: true, events: log.events.length, mismatches: [] });
      } finally {
        reader.close();
      }
    } finally {
      await rec.chain.stop();
      await restarted?.stop();
    }
  }, 180_000);
});
