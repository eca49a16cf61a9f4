import { resolve } from 'node:path';
import { ChainConfigError } from '../bridges/evm/chain-node.js';
import { DataFolderBusyError } from '../bridges/evm/data-lock.js';
import { KeyFileError } from '../agents/ledger/signing/keys.js';
import { OutboxCorruptError } from '../bridges/evm/outbox/outbox.js';
import { openChainRecording, type ChainRecording } from '../runtime/chain-recording.js';
import type { Scenario } from '../scenarios/schema.js';
import { UsageError } from './errors.js';

/** The flags `run` and `serve` share for where the ledger writes. */
export const chainFlagSpec = {
  ledger: { type: 'string' },
  'chain-data': { type: 'string' },
  'chain-rpc': { type: 'string' },
} as const;

export const chainFlagHelp = `  --ledger chain|memory: where the ledger agent records twin events. chain:
  signed (EIP-712, a key per machine) into a durable outbox and anchored as
  Merkle roots in the MaintenanceLog contract, on an Anvil node the command
  starts on loopback with its state in --chain-data (default data/chain;
  contracts deployed and machines registered as twin tokens on first start),
  or on the node at --chain-rpc URL with the operator key in the
  HYPERFACTORY_CHAIN_KEY environment variable. memory: a hash-chained ledger
  that ends with the run. "hyperfactory twin" reads what a run recorded.`;

/**
 * Opens the chain when `--ledger chain` (or the command's default) asks for
 * it and the scenario has a ledger; undefined otherwise. Configuration
 * mistakes come back as UsageErrors.
 */
export async function openLedgerFlags(
  command: string,
  values: { ledger?: string; 'chain-data'?: string; 'chain-rpc'?: string },
  scenario: Scenario,
  defaultLedger: 'chain' | 'memory',
  onProblem: (line: string) => void,
): Promise<ChainRecording | undefined> {
  const kind = values.ledger ?? defaultLedger;
  if (kind !== 'chain' && kind !== 'memory') throw new UsageError(`${command}: --ledger must be chain or memory, got "${kind}"`);
  if (kind === 'memory') {
    if (values['chain-rpc'] !== undefined || values['chain-data'] !== undefined) throw new UsageError(`${command}: --chain-rpc and --chain-data need --ledger chain`);
    return undefined;
  }
  if (!scenario.ledger.enabled) return undefined;
  const rpcUrl = values['chain-rpc'];
  if (rpcUrl !== undefined && !/^https?:\/\/\S+$/.test(rpcUrl)) throw new UsageError(`${command}: --chain-rpc must be an http(s) JSON-RPC URL, got "${rpcUrl}"`);
  const key = process.env.HYPERFACTORY_CHAIN_KEY;
  if (rpcUrl !== undefined && key === undefined) throw new UsageError(`${command}: --chain-rpc needs the operator's private key in HYPERFACTORY_CHAIN_KEY`);
  try {
    return await openChainRecording(scenario, {
      dataDir: resolve(values['chain-data'] ?? 'data/chain'),
      ...(rpcUrl !== undefined ? { rpcUrl, key } : {}),
      onProblem,
    });
  } catch (e) {
    if (e instanceof ChainConfigError || e instanceof DataFolderBusyError || e instanceof KeyFileError || e instanceof OutboxCorruptError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}
