import type { LedgerPort } from '../agents/ports/ledger-port.js';
import { ChainLedger } from '../bridges/evm/chain-ledger.js';
import { openChain, type Chain } from '../bridges/evm/chain-node.js';
import { ChainSubmitter } from '../bridges/evm/chain-submitter.js';
import { chainFiles } from '../bridges/evm/ledger-audit.js';
import { Outbox } from '../bridges/evm/outbox/outbox.js';
import type { FlushReport } from '../bridges/evm/outbox/outbox.js';
import type { Scenario } from '../scenarios/schema.js';
import { expandMachines } from './machines.js';

export interface ChainRecordingOptions {
  /** The chain data folder (deployment, Anvil state, keys, outbox). */
  dataDir: string;
  /** An outside node and its operator key; omitted = the embedded Anvil. */
  rpcUrl?: string;
  key?: string;
  /** Wall-clock ms between anchoring flushes. */
  flushIntervalMs?: number;
  /** Events per Merkle batch (default 1000) and the longest a smaller batch waits, ms (default the flush interval). */
  maxBatchSize?: number;
  maxBatchAgeMs?: number;
  /** Fixed port of the embedded Anvil (tests restarting it at the same address). */
  anvilPort?: number;
  onProblem?: (line: string) => void;
  onFlush?: (report: FlushReport) => void;
}

/** A plant's twin events recorded on a chain, for as long as a `run` or `serve` lasts. */
export interface ChainRecording {
  chain: Chain;
  outbox: Outbox;
  ledger: ChainLedger;
  /** `RunOptions.ledger`: each run writes under its own key (scenario, seed, start time). */
  portFor: (run: { scenario: string; seed: number }) => LedgerPort;
  /** Flushes what is left (up to `timeoutMs`), stops the embedded node; returns events not anchored yet. */
  close(timeoutMs?: number): Promise<number>;
}

/**
 * Opens the chain for a scenario (embedded Anvil or the given node; contracts
 * deployed on first start; machines registered as twin tokens) and the
 * ledger port over the data folder's outbox, flushing on the wall clock.
 */
export async function openChainRecording(scenario: Scenario, options: ChainRecordingOptions): Promise<ChainRecording> {
  const chain = await openChain({
    dataDir: options.dataDir,
    machines: expandMachines(scenario).map((m) => m.id),
    plant: scenario.name,
    ...(options.rpcUrl !== undefined ? { rpcUrl: options.rpcUrl } : {}),
    ...(options.key !== undefined ? { key: options.key } : {}),
    ...(options.anvilPort !== undefined ? { port: options.anvilPort } : {}),
  });
  const flushIntervalMs = options.flushIntervalMs ?? 5000;
  let submitter: ChainSubmitter | undefined;
  try {
    const outbox = new Outbox({
      path: chainFiles(options.dataDir).outbox,
      maxBatchSize: options.maxBatchSize ?? 1000,
      maxBatchAgeMs: options.maxBatchAgeMs ?? flushIntervalMs,
      ...(options.onProblem ? { onWarning: options.onProblem } : {}),
    });
    const address = chain.deployment.addresses.MaintenanceLog;
    submitter = new ChainSubmitter({ rpcUrl: chain.rpcUrl, operatorKey: chain.operatorKey, address, chainId: chain.chainId, registry: chain.deployment.addresses.TwinRegistry });
    const ledger = new ChainLedger({
      outbox,
      submitter,
      keys: chain.keys,
      domain: ChainLedger.domain(chain.chainId, address),
      flushIntervalMs,
      ...(options.onProblem ? { onProblem: options.onProblem } : {}),
      ...(options.onFlush ? { onFlush: options.onFlush } : {}),
    });
    await ledger.start();
    const sub = submitter;
    return {
      chain,
      outbox,
      ledger,
      portFor: ({ scenario: name, seed }) => ledger.forRun(`${name}/${seed}/${new Date().toISOString()}`),
      close: async (timeoutMs) => {
        const left = await ledger.close(timeoutMs);
        sub.close();
        await chain.stop();
        return left;
      },
    };
  } catch (e) {
    submitter?.close();
    await chain.stop();
    throw e;
  }
}
