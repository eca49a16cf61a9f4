/**
 * Twin events per second the ledger agent sustains, and how fast they reach
 * the chain.
 *
 * The XState ledger agent, wired as in a plant (`runtime/wire-ledger.ts`), is
 * fed N `repair.requested` messages from 50 machines as fast as the kernel
 * delivers them, through each port in turn:
 *   - memory: the hash-chained ledger in memory (the baseline: the agent alone);
 *   - chain: the plant's chain port (`bridges/evm/chain-ledger.ts`): EIP-712
 *     signature by the machine's key + durable outbox line (fsync), receipt at once;
 *   - chain, no fsync: the same without fsync (what the disk costs).
 * Then the chain port's outbox is flushed to a real Anvil at 1000-event
 * batches and the time until every event is anchored gives the anchoring rate.
 * No peer is named by the issue: the memory port is the reference.
 *
 *   npm run build && node dist/bench/ledger-throughput/run.js [--events N]
 *   (npm run bench:ledger-throughput)
 *
 * Writes bench/results/ledger-throughput.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LedgerPort } from '../../agents/ports/ledger-port.js';
import { AgentHost } from '../../agents/host/agent-host.js';
import { HashChainLedger } from '../../bridges/ledger-file/hash-chain-ledger.js';
import { MemoryBus } from '../../bridges/memory/memory-bus.js';
import { ChainLedger } from '../../bridges/evm/chain-ledger.js';
import { openChain } from '../../bridges/evm/chain-node.js';
import { ChainSubmitter } from '../../bridges/evm/chain-submitter.js';
import { Outbox } from '../../bridges/evm/outbox/outbox.js';
import type { RunContext } from '../../runtime/context.js';
import { projectRoot } from '../../runtime/paths.js';
import { wireLedger } from '../../runtime/wire-ledger.js';
import { Kernel } from '../../sim/clock/kernel.js';
import { EventLog } from '../../sim/log/event-log.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const EVENTS = Number(arg('events') ?? 20_000);
const MACHINES = Array.from({ length: 50 }, (_, i) => `m-${i}`);

/** Feeds EVENTS twin events through the ledger agent on `port`; returns events/s recorded (receipt announced). */
function drive(port: LedgerPort): { seconds: number; recorded: number; eventsPerSecond: number } {
  const kernel = new Kernel();
  const bus = new MemoryBus(kernel);
  const log = new EventLog();
  const host = new AgentHost(kernel, bus, log);
  const ctx = { kernel, bus, host, log, kpis: [] } as unknown as RunContext;
  let recorded = 0;
  bus.observe((env) => {
    if (env.type === 'ledger.recorded') recorded++;
  });
  wireLedger(ctx, port);
  for (let i = 0; i < EVENTS; i++) {
    const machine = MACHINES[i % MACHINES.length]!;
    kernel.at(i * 0.001, () => host.sendFrom(machine, { type: 'send', to: 'maintenance', message: 'repair.requested', payload: { machine } }), undefined);
  }
  const start = performance.now();
  kernel.runUntil(EVENTS * 0.001 + 1);
  const seconds = (performance.now() - start) / 1000;
  host.stopAll();
  if (recorded !== EVENTS) throw new Error(`recorded ${recorded} of ${EVENTS}`);
  return { seconds: round(seconds), recorded, eventsPerSecond: Math.round(EVENTS / seconds) };
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

const dir = mkdtempSync(join(tmpdir(), 'ledger-throughput-'));
const chain = await openChain({ dataDir: dir, machines: MACHINES, plant: 'bench' });
try {
  const memory = drive(new HashChainLedger());
  console.log(`memory port:          ${memory.eventsPerSecond} events/s`);

  const chainRun = async (fsync: boolean) => {
    const outbox = new Outbox({ path: join(dir, `outbox-${fsync ? 'fsync' : 'nofsync'}.ndjson`), maxBatchSize: 1000, maxBatchAgeMs: 0, fsync });
    const address = chain.deployment.addresses.MaintenanceLog;
    const submitter = new ChainSubmitter({ rpcUrl: chain.rpcUrl, operatorKey: chain.operatorKey, address, chainId: chain.chainId });
    const ledger = new ChainLedger({ outbox, submitter, keys: chain.keys, domain: ChainLedger.domain(chain.chainId, address), flushIntervalMs: 3_600_000 });
    const recording = drive(ledger.forRun(`bench-${fsync}`));
    const start = performance.now();
    const left = await ledger.close(600_000);
    const anchorSeconds = (performance.now() - start) / 1000;
    submitter.close();
    if (left !== 0) throw new Error(`${left} events not anchored`);
    const { confirmedBatches } = outbox.counts();
    return { ...recording, anchoring: { seconds: round(anchorSeconds), batches: confirmedBatches, eventsPerSecond: Math.round(EVENTS / anchorSeconds) } };
  };
  const signedFsync = await chainRun(true);
  console.log(`chain port (fsync):   ${signedFsync.eventsPerSecond} events/s recorded; anchored at ${signedFsync.anchoring.eventsPerSecond} events/s (${signedFsync.anchoring.batches} batches)`);
  const signedNoFsync = await chainRun(false);
  console.log(`chain port (no fsync): ${signedNoFsync.eventsPerSecond} events/s recorded; anchored at ${signedNoFsync.anchoring.eventsPerSecond} events/s`);

  const result = {
    benchmark: 'ledger-throughput',
    what: 'twin events/s through the XState ledger agent (receipt announced) per port; then outbox → Anvil anchoring at 1000-event batches',
    events: EVENTS,
    memory,
    chain: signedFsync,
    chainNoFsync: signedNoFsync,
    ratios: { chainVsMemory: round(signedFsync.eventsPerSecond / memory.eventsPerSecond), noFsyncVsFsync: round(signedNoFsync.eventsPerSecond / signedFsync.eventsPerSecond) },
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, os: release(), node: process.version },
    date: new Date().toISOString(),
  };
  const out = join(projectRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'ledger-throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await chain.stop();
  rmSync(dir, { recursive: true, force: true });
}
